import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DateTime } from 'luxon';
import type { RedisClient } from '../../src/store/redis';
import { Nudger } from '../../src/app/nudger';
import type { MessageOutbox } from '../../src/app/ports';
import { ManualClock } from '../../src/domain/clock';
import { newLead } from '../../src/domain/lead';
import { DAY_MS } from '../../src/domain/metrics';
import { SendQueue } from '../../src/jobs/send-queue';
import { LedgerStore } from '../../src/store/ledger-store';
import { NudgeStore } from '../../src/store/nudge-store';
import { ActivityStore } from '../../src/store/activity-store';
import { createRedis, waitReady } from '../../src/store/redis';
import { captureLogger, uniquePrefix } from '../helpers/config';
import { TEST_NUDGE_SETTINGS } from '../helpers/nudge-settings';
import { PrivateRedis } from '../helpers/redis-server';

const wednesday = DateTime.fromISO('2026-11-25T10:00:00', { zone: 'Asia/Shanghai' }).toMillis();
const LEADS = 40;
let server: PrivateRedis;
let redis: RedisClient;

beforeAll(async () => {
  server = new PrivateRedis(await PrivateRedis.freePort(), mkdtempSync(path.join(tmpdir(), 'wf-aof-')));
  await server.start();
  redis = createRedis(server.url, 'general', { maxRetriesPerRequest: 1 });
  await waitReady(redis);
});
afterAll(async () => {
  redis.disconnect();
  await server.stop();
});

async function setup(prefix: string, outboxWrap?: (real: MessageOutbox) => MessageOutbox) {
  const clock = new ManualClock(wednesday);
  const store = new LedgerStore(redis, prefix, clock);
  const leads = Array.from({ length: LEADS }, (_, i) =>
    newLead({ id: `woF${i}`, externalUserId: `woF${i}`, name: `客户${i}`, owner: `rep${i % 4}`, source: 'web', createdAt: wednesday - 10 * DAY_MS }),
  );
  await store.bulkLoad(leads.map((lead) => ({ lead, entries: [] })));
  for (const l of leads) await store.setDue(l.id, wednesday - 1);
  const queue = new SendQueue(redis, prefix);
  const make = (outbox: MessageOutbox) =>
    new Nudger({
      store,
      nudges: new NudgeStore(redis, prefix),
      outbox,
      managers: { managerOf: async () => undefined, nameOf: async (u: string) => u },
      activity: new ActivityStore(redis, prefix),
      clock,
      settings: TEST_NUDGE_SETTINGS,
      dailyCapPerRep: 100,
      escalateAfterIgnored: 3,
      log: captureLogger().log,
    });
  return { store, queue, clean: make(queue), faulty: outboxWrap ? make(outboxWrap(queue)) : undefined, leads };
}

async function assertExactlyOnce(s: Awaited<ReturnType<typeof setup>>) {
  const counts = await s.queue.queue.getJobCounts();
  expect((counts.waiting ?? 0) + (counts.delayed ?? 0) + (counts.active ?? 0) + (counts.completed ?? 0)).toBe(LEADS);
  for (const l of s.leads) {
    const entries = (await s.store.getTimeline(l.id)).filter((e) => e.kind === 'nudge_sent');
    expect(entries).toHaveLength(1);
  }
  await s.queue.close();
}

test('a worker dies after enqueuing the cards but before recording them: the re-run sends none twice and loses none', async () => {
  const s = await setup(uniquePrefix('nf-crash'), (real) => ({
    enqueue: real.enqueue.bind(real),
    enqueueMany: async (ms) => {
      await real.enqueueMany(ms);
      throw new Error('killed mid-sweep');
    },
  }));
  await expect(s.faulty!.sweep(100)).rejects.toThrow('killed mid-sweep');
  // another worker (or the restarted one) sweeps; then a third time for good measure
  expect((await s.clean.sweep(100)).sent).toBe(LEADS);
  await s.store.setDue('woF1', wednesday); // something marks a lead due again
  expect((await s.clean.sweep(100)).sent).toBe(0);
  await assertExactlyOnce(s);
});

test('a worker dies before enqueuing: the re-run sends each nudge once', async () => {
  const s = await setup(uniquePrefix('nf-early'), () => ({
    enqueue: async () => {
      throw new Error('killed');
    },
    enqueueMany: async () => {
      throw new Error('killed before sending');
    },
  }));
  await expect(s.faulty!.sweep(100)).rejects.toThrow('killed before sending');
  expect((await s.clean.sweep(100)).sent).toBe(LEADS);
  await assertExactlyOnce(s);
});

test('two workers sweep the same due leads at once: one nudge per lead', async () => {
  const s = await setup(uniquePrefix('nf-race'));
  const other = new Nudger((s.clean as unknown as { d: ConstructorParameters<typeof Nudger>[0] }).d);
  const [a, b] = await Promise.all([s.clean.sweep(100), other.sweep(100)]);
  expect(a.sent + b.sent).toBe(LEADS);
  await assertExactlyOnce(s);
});

test('Redis restarts in the middle of the work: the sweep fails, and after Redis is back exactly one nudge per due lead', async () => {
  const s = await setup(uniquePrefix('nf-restart'));
  // half the leads are swept before Redis goes away
  expect((await s.clean.sweep(LEADS / 2)).sent).toBe(LEADS / 2);
  await server.stop();
  await expect(s.clean.sweep(100)).rejects.toThrow();
  await server.start();
  await waitReady(redis, 10_000);
  expect((await s.clean.sweep(100)).sent).toBe(LEADS / 2);
  expect((await s.clean.sweep(100)).sent).toBe(0);
  await assertExactlyOnce(s);
}, 30_000);
