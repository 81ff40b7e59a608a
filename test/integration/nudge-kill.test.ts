/**
 * Exactly once with real processes: two worker processes (the real composition root) sweep the same due leads at
 * once; one is killed with SIGKILL at a random moment while cards are being enqueued; Redis (AOF) is restarted while
 * the other is still working; a restarted worker sweeps again. Every due lead's rep finds exactly one card in the
 * sandbox, and every lead has exactly one nudge_sent entry.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Queue } from 'bullmq';
import type { RedisClient } from '../../src/store/redis';
import { DateTime } from 'luxon';
import { ManualClock } from '../../src/domain/clock';
import { newLead } from '../../src/domain/lead';
import { DAY_MS } from '../../src/domain/metrics';
import { bullPrefix, QUEUES } from '../../src/jobs/names';
import type { WeComSandbox } from '../../tools/sandbox/wecom-sandbox';
import { LedgerStore } from '../../src/store/ledger-store';
import { createRedis, waitReady } from '../../src/store/redis';
import { uniquePrefix, waitFor } from '../helpers/config';
import { PrivateRedis } from '../helpers/redis-server';
import { SANDBOX_APP, startChild, startSandbox } from '../helpers/sandbox';

const wednesday = DateTime.fromISO('2026-11-25T10:00:00', { zone: 'Asia/Shanghai' }).toMillis();
const LEADS = 1200;
const REPS = 80; // 15 cards each: under the daily cap (20) and WeCom's 30 a minute
const LOCK_MS = 1000;

let server: PrivateRedis;
let redis: RedisClient;
let sandbox: WeComSandbox;
let sandboxUrl: string;
const children: Awaited<ReturnType<typeof startChild>>[] = [];

beforeAll(async () => {
  server = new PrivateRedis(await PrivateRedis.freePort(), mkdtempSync(path.join(tmpdir(), 'wf-kill-')));
  await server.start();
  redis = createRedis(server.url, 'general', { maxRetriesPerRequest: 1 });
  await waitReady(redis);
  ({ sandbox, url: sandboxUrl } = await startSandbox());
  for (let r = 0; r < REPS; r++) sandbox.addUser({ userid: `rep${r}`, name: `销售${r}` });
});
afterAll(async () => {
  for (const c of children) if (c.child.exitCode === null && c.child.signalCode === null) await c.stop();
  redis.disconnect();
  await sandbox.close();
  await server.stop();
});

/** Cards in the sandbox per lead id (read from the buttons' keys `<action>:<leadId>:<nudgeId>`). */
function cardsPerLead(): Map<string, number> {
  const perLead = new Map<string, number>();
  for (const [, messages] of sandbox.inboxes) {
    for (const m of messages) {
      if (m.msgtype !== 'template_card') continue;
      const key = (m.body as { template_card?: { button_list?: { key: string }[] } }).template_card?.button_list?.[0]?.key ?? '';
      const leadId = key.split(':')[1] ?? '';
      perLead.set(leadId, (perLead.get(leadId) ?? 0) + 1);
    }
  }
  return perLead;
}

test('two worker processes, one SIGKILLed mid-sweep, Redis restarted: exactly one card per due lead', async () => {
  const prefix = uniquePrefix('nkill');
  const store = new LedgerStore(redis, prefix, new ManualClock(wednesday));
  const leads = Array.from({ length: LEADS }, (_, i) =>
    newLead({ id: `woK${i}`, externalUserId: `woK${i}`, name: `客户${i}`, owner: `rep${i % REPS}`, source: 'web', createdAt: wednesday - 10 * DAY_MS }),
  );
  await store.bulkLoad(leads.map((lead) => ({ lead, entries: [] })));
  const due = redis.pipeline();
  for (const l of leads) due.zadd(`${prefix}:{idx}:due`, wednesday - 1, l.id);
  await due.exec();

  const env = {
    PREFIX: prefix,
    TEST_REDIS_URL: server.url,
    SANDBOX_URL: sandboxUrl,
    CORP_ID: SANDBOX_APP.corpId,
    SECRET: SANDBOX_APP.secret,
    AGENT_ID: String(SANDBOX_APP.agentId),
    CLOCK_MS: String(wednesday),
    LOCK_MS: String(LOCK_MS),
  };
  const [a, b] = await Promise.all([startChild('worker', env), startChild('worker', env)]);
  children.push(a, b);
  const nudgeQueue = new Queue(QUEUES.nudges, { connection: redis, prefix: bullPrefix(prefix) });
  const sendQueue = new Queue(QUEUES.send, { connection: redis, prefix: bullPrefix(prefix) });
  for (const q of [nudgeQueue, sendQueue]) q.on('error', () => undefined); // Redis is restarted below
  const sendJobs = async () => Object.values(await sendQueue.getJobCounts()).reduce((x, y) => x + y, 0);

  // Both processes sweep; A is killed once a random share of the cards is enqueued.
  const killAt = 1 + Math.floor(Math.random() * (LEADS / 2));
  await nudgeQueue.addBulk([
    { name: 'sweep', data: {} },
    { name: 'sweep', data: {} },
  ]);
  await waitFor(async () => (await sendJobs()) >= killAt, { timeoutMs: 20_000, intervalMs: 1 });
  a.child.kill('SIGKILL');
  // Redis goes down under B and comes back (AOF, as in docker-compose).
  await server.stop();
  await new Promise((r) => setTimeout(r, 300));
  await server.start();
  await waitReady(redis, 10_000);

  // A restarted worker, and the scheduler's next ticks.
  const c = await startChild('worker', env);
  children.push(c);
  await nudgeQueue.addBulk([
    { name: 'sweep', data: {} },
    { name: 'sweep', data: {} },
  ]);
  await waitFor(async () => [...cardsPerLead().values()].reduce((x, y) => x + y, 0) >= LEADS, { timeoutMs: 30_000, intervalMs: 50 });
  // Give a stalled job (the killed process held some) time to come back and prove it sends nothing twice.
  await new Promise((r) => setTimeout(r, 3 * LOCK_MS));
  await nudgeQueue.add('sweep', {});
  await waitFor(async () => (await nudgeQueue.getJobCounts('waiting', 'active')).waiting === 0, { timeoutMs: 10_000, intervalMs: 50 });
  await waitFor(
    async () => {
      const counts = await sendQueue.getJobCounts('waiting', 'active', 'delayed');
      return counts.waiting === 0 && counts.active === 0 && counts.delayed === 0;
    },
    { timeoutMs: 10_000, intervalMs: 50 },
  );

  // Only a send in flight in the killed process (its send concurrency is 4) may reach WeCom a second time — and
  // WeCom's duplicate check (enable_duplicate_check) keeps that one from the rep.
  const sendCalls = sandbox.calls.filter((x) => x.api === 'message/send' && x.errcode === 0).length;
  expect(sendCalls).toBeGreaterThanOrEqual(LEADS);
  expect(sendCalls).toBeLessThanOrEqual(LEADS + 4);
  const perLead = cardsPerLead();
  expect(perLead.size).toBe(LEADS);
  expect([...perLead.entries()].filter(([, n]) => n !== 1)).toEqual([]);
  const sentEntries = await Promise.all(leads.map(async (l) => (await store.getTimeline(l.id)).filter((e) => e.kind === 'nudge_sent').length));
  expect(sentEntries.filter((n) => n !== 1)).toEqual([]);
  await Promise.all([nudgeQueue.close(), sendQueue.close()]);
  await Promise.all([b.stop(), c.stop()]);
}, 90_000);
