/**
 * The fault suite (npm run test:faults): real processes under attack and bad luck at once. Two web and two worker
 * processes on a private Redis with AOF; 2,000 distinct callbacks (customers added, reps' commands, messages from
 * external ids), each delivered 1–4 times concurrently to either web process, with WeCom's retries; meanwhile one
 * worker is SIGKILLed, Redis is stopped for 5 s and restarted, and the WeCom sandbox answers -1 and 45009 for a while.
 * Afterwards: every callback answered 200 is applied exactly once; every lead is in every index it belongs to and no
 * other; nothing went to an external id; no rep got more than 30 message/send calls in any 60 s; every send that
 * failed for good is listed and counted.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Queue } from 'bullmq';
import { ManualClock } from '../../src/domain/clock';
import { bullPrefix, QUEUES } from '../../src/jobs/names';
import { CallbackDriver, type SignedRequest } from '../../tools/sandbox/callback-driver';
import { encodeAppEvent } from '../../tools/sandbox/event-xml';
import type { WeComSandbox } from '../../tools/sandbox/wecom-sandbox';
import { ActivityStore } from '../../src/store/activity-store';
import { LedgerStore } from '../../src/store/ledger-store';
import { createRedis, waitReady } from '../../src/store/redis';
import { inboxStats } from '../../src/store/stream-inbox';
import type { WeComEvent } from '../../src/wecom/events';
import { isExternalUserId } from '../../src/wecom/recipients';
import { uniquePrefix, VECTOR_A, waitFor } from '../helpers/config';
import { recordFigure } from '../helpers/figures';
import { PrivateRedis } from '../helpers/redis-server';
import { startChild, startSandbox } from '../helpers/sandbox';

const REPS = Array.from({ length: 50 }, (_, i) => `rep${String(i).padStart(2, '0')}`);
const CUSTOMERS = 1200;
const COMMANDS = 600;
const FROM_EXTERNAL = 200;
// CUSTOMERS + COMMANDS + FROM_EXTERNAL = 2,000 distinct callbacks.
/** Distinct lead names without digits (the command parser reads digits as minutes): 123 → 乙丙丁. */
const leadName = (i: number) =>
  `线索${String(i)
    .split('')
    .map((d) => '甲乙丙丁戊己庚辛壬癸'[Number(d)])
    .join('')}`;
const customerId = (i: number) => `wmFAULT${String(i).padStart(6, '0')}AAAAAAAAAA`;

type Child = Awaited<ReturnType<typeof startChild>>;
const children: Child[] = [];
let server: PrivateRedis;
let dir: string;
let sandbox: WeComSandbox;
let sandboxUrl: string;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'wf-faults-'));
  server = new PrivateRedis(await PrivateRedis.freePort(), dir);
  await server.start();
  ({ sandbox, url: sandboxUrl } = await startSandbox({ corpId: VECTOR_A.corpId, secret: 'test-secret', agentId: 218 }));
  for (const r of REPS) sandbox.addUser({ userid: r, name: `销售${r}` });
  for (let i = 0; i < CUSTOMERS; i++)
    sandbox.addContact({ external_userid: customerId(i), name: `王客户${i}`, type: 1, corp_name: `公司${i}` }, [
      { userid: REPS[i % REPS.length] as string, remark: `王总${i}` },
    ]);
});
afterAll(async () => {
  await Promise.all(children.map((c) => (c.child.exitCode === null && c.child.signalCode === null ? c.stop() : undefined)));
  await sandbox.close();
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** The 2,000 events, in a shuffled order: customers added, reps creating leads by command, and strangers writing in. */
function events(now: number): { event: WeComEvent; kind: 'customer' | 'command' | 'external'; key: string }[] {
  const list: { event: WeComEvent; kind: 'customer' | 'command' | 'external'; key: string }[] = [];
  for (let i = 0; i < CUSTOMERS; i++) {
    const rep = REPS[i % REPS.length] as string;
    list.push({
      kind: 'customer',
      key: customerId(i),
      event: {
        kind: 'external_contact',
        corpId: VECTOR_A.corpId,
        createTime: now - 3600 + i,
        changeType: 'add_external_contact',
        userId: rep,
        externalUserId: customerId(i),
        state: '官网',
      },
    });
  }
  for (let i = 0; i < COMMANDS; i++) {
    const rep = REPS[i % REPS.length] as string;
    list.push({
      kind: 'command',
      key: leadName(i),
      event: {
        kind: 'app_text',
        corpId: VECTOR_A.corpId,
        createTime: now - 600 + i,
        msgId: String(7_100_000_000 + i),
        fromUser: rep,
        content: `线索 ${leadName(i)} 电话`,
        agentId: '218',
      },
    });
  }
  for (let i = 0; i < FROM_EXTERNAL; i++) {
    const from = customerId(i % CUSTOMERS);
    list.push({
      kind: 'external',
      key: from,
      event: {
        kind: 'app_text',
        corpId: VECTOR_A.corpId,
        createTime: now - 300 + i,
        msgId: String(7_200_000_000 + i),
        fromUser: from,
        content: '多少钱',
        agentId: '218',
      },
    });
  }
  for (let i = list.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [list[i], list[j]] = [list[j] as (typeof list)[number], list[i] as (typeof list)[number]];
  }
  return list;
}

test('2 web + 2 worker processes, 2,000 callbacks delivered 1–4 times, a worker killed, Redis down 5 s, WeCom failing: every promise kept', async () => {
  const prefix = uniquePrefix('faults');
  const env = {
    PREFIX: prefix,
    TEST_REDIS_URL: server.url,
    SANDBOX_URL: sandboxUrl,
    CORP_ID: VECTOR_A.corpId,
    SECRET: 'test-secret',
    AGENT_ID: '218',
    LOCK_MS: '3000',
  };
  const [webA, webB, workerA, workerB] = await Promise.all([
    startChild('web', env),
    startChild('web', env),
    startChild('worker', env),
    startChild('worker', env),
  ]);
  children.push(webA, webB, workerA, workerB);
  const drivers = [webA, webB].map((w) => new CallbackDriver(`http://127.0.0.1:${w.ready.port as number}`, { ...VECTOR_A }));

  const now = Math.floor(Date.now() / 1000);
  const all = events(now);
  const requests: SignedRequest[] = all.map((e) => (drivers[0] as CallbackDriver).appRequest(encodeAppEvent(e.event, VECTOR_A.corpId)));
  const acknowledged = new Array<boolean>(all.length).fill(false);
  const statuses = new Map<string, number>();
  let done = 0;

  // Faults, by how far the delivery has got.
  const faults: { at: number; run: () => Promise<void> | void; ran?: boolean }[] = [
    { at: 0.2, run: () => (sandbox.failNext('message/send', -1, 40), sandbox.failNext('externalcontact/get', -1, 40)) },
    { at: 0.35, run: () => void workerA.child.kill('SIGKILL') },
    {
      at: 0.5,
      run: async () => {
        await server.stop();
        await new Promise((r) => setTimeout(r, 5000));
        await server.start();
      },
    },
    { at: 0.65, run: () => sandbox.failNext('message/send', 45009, 3) },
  ];
  const faultRuns: Promise<void>[] = [];
  const tick = () => {
    for (const f of faults) {
      if (!f.ran && done / all.length >= f.at) {
        f.ran = true;
        faultRuns.push(Promise.resolve(f.run()));
      }
    }
  };

  let next = 0;
  const lane = async () => {
    while (next < requests.length) {
      const i = next++;
      const copies = 1 + Math.floor(Math.random() * 4);
      const results = await Promise.all(
        Array.from({ length: copies }, () => {
          const driver = drivers[Math.floor(Math.random() * drivers.length)] as CallbackDriver;
          return driver.deliver(requests[i] as SignedRequest, { retries: 3, retryDelayMs: 1500, timeoutMs: 5000 });
        }),
      );
      acknowledged[i] = results.some((r) => r.status === 200);
      for (const r of results) statuses.set(`${r.status} ${r.body.slice(0, 20)}`, (statuses.get(`${r.status} ${r.body.slice(0, 20)}`) ?? 0) + 1);
      done++;
      tick();
    }
  };
  await Promise.all(Array.from({ length: 24 }, lane));
  await Promise.all(faultRuns);
  recordFigure(
    `fault suite: ${acknowledged.filter(Boolean).length}/${all.length} callbacks acknowledged; answers ${JSON.stringify(Object.fromEntries(statuses))}`,
  );
  expect(acknowledged.filter(Boolean).length).toBeGreaterThan(all.length * 0.8);

  // Quiet: nothing left in the stream, the inbox or the send queue (45009's penalty wait is a minute).
  const redis = createRedis(server.url, 'general');
  await waitReady(redis, 10_000);
  const inboxQueue = new Queue(QUEUES.inbox, { connection: redis, prefix: bullPrefix(prefix) });
  const sendQueue = new Queue(QUEUES.send, { connection: redis, prefix: bullPrefix(prefix) });
  try {
    await waitFor(
      async () => {
        const s = await inboxStats(redis, prefix);
        const i = await inboxQueue.getJobCounts('waiting', 'active', 'delayed', 'prioritized');
        const o = await sendQueue.getJobCounts('waiting', 'active', 'delayed', 'prioritized');
        return s.pending === 0 && s.unread === 0 && Object.values(i).every((n) => n === 0) && Object.values(o).every((n) => n === 0);
      },
      { timeoutMs: 150_000, intervalMs: 500 },
    );

    const store = new LedgerStore(redis, prefix, new ManualClock(Date.now()));
    // 1. Every acknowledged callback applied, exactly once.
    const missing: string[] = [];
    for (let i = 0; i < all.length; i++) {
      if (!acknowledged[i]) continue;
      const e = all[i] as (typeof all)[number];
      if (e.kind === 'customer') {
        const lead = await store.getLead(e.key);
        const added = lead ? (await store.getTimeline(e.key)).filter((x) => x.kind === 'added') : [];
        if (!lead || added.length !== 1) missing.push(`${e.kind} ${e.key} (${added.length} added)`);
      } else if (e.kind === 'command') {
        const rep = (e.event as { fromUser: string }).fromUser;
        const manual = (await store.leadsOf(rep)).filter((l) => l.name === e.key);
        const replies = sandbox.inbox(rep).filter((m) => m.body.msgtype === 'text' && m.body.text.content.startsWith(`已新建线索：${e.key}（`));
        if (manual.length !== 1 || replies.length !== 1) missing.push(`${e.kind} ${e.key} (${manual.length} leads, ${replies.length} replies)`);
      }
    }
    expect(missing).toEqual([]);
    expect(await inboxQueue.getFailedCount()).toBe(0);

    // 2. Every lead in every index it belongs to, and in no other: the repair finds nothing to do.
    const repair = await store.repairIndexes();
    expect(repair.leads).toBeGreaterThanOrEqual(acknowledged.filter((a, i) => a && all[i]?.kind !== 'external').length);
    expect([repair.added, repair.removed]).toEqual([0, 0]);

    // 3. Nothing to an external id, by any path.
    const sends = sandbox.calls.filter((c) => c.api === 'message/send');
    expect(sends.filter((c) => (c.touser ?? '').split('|').some(isExternalUserId))).toEqual([]);
    for (let i = 0; i < FROM_EXTERNAL; i++) expect(sandbox.inbox(customerId(i))).toEqual([]);

    // 4. No rep got more than 30 message/send calls in any 60 s (every attempt counts, failed ones included).
    const byRep = new Map<string, number[]>();
    for (const c of sends) byRep.set(c.touser ?? '', [...(byRep.get(c.touser ?? '') ?? []), c.wallAt]);
    let most = 0;
    for (const times of byRep.values()) {
      times.sort((a, b) => a - b);
      for (let i = 0, j = 0; i < times.length; i++) {
        while ((times[i] as number) - (times[j] as number) >= 60_000) j++;
        most = Math.max(most, i - j + 1);
      }
    }
    expect(most).toBeLessThanOrEqual(30);
    expect(sandbox.calls.some((c) => c.errcode === -1)).toBe(true);
    expect(sandbox.calls.some((c) => c.errcode === 45009)).toBe(true);

    // 5. No silent permanent failure: each failed send has its reason and was counted.
    const failed = await sendQueue.getFailed();
    for (const j of failed) expect(j.failedReason).toBeTruthy();
    const counted = (await new ActivityStore(redis, prefix).all()).filter((a) => a.event === 'messages_failed').reduce((n, a) => n + a.value, 0);
    expect(counted).toBe(failed.length);
    recordFigure(
      `fault suite: ${sends.length} message/send calls, at most ${most} to one rep in 60 s, ${failed.length} failed sends, repair ${JSON.stringify(repair)}`,
    );
  } finally {
    await Promise.all([inboxQueue.close(), sendQueue.close()]);
    redis.disconnect();
  }
}, 300_000);
