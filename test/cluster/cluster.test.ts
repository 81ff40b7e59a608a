/**
 * What a Redis Cluster demands of us, checked on the cluster `npm run test:cluster` starts (the integration and
 * browser suites run against the same cluster in that run): data spreads over every master; whatever one script or
 * one multi-key command touches shares a slot; a pipeline across nodes answers in the order it was given.
 */
import calculateSlot from 'cluster-key-slot';
import { Cluster } from 'ioredis';
import { Queue } from 'bullmq';
import { ManualClock } from '../../src/domain/clock';
import { newLead } from '../../src/domain/lead';
import { bullPrefix, QUEUES } from '../../src/jobs/names';
import { LedgerStore } from '../../src/store/ledger-store';
import { LedgerKeys } from '../../src/store/ledger/keys';
import { pipeline } from '../../src/store/pipeline';
import { createRedis, isClusterTarget, scanNodes } from '../../src/store/redis';
import { inboxKeys } from '../../src/store/stream-inbox';
import { cleanupRedis, REDIS_URL, uniquePrefix } from '../helpers/config';

const prefix = uniquePrefix('cluster');
const redis = createRedis(REDIS_URL, 'general');
const T = Date.parse('2026-11-20T02:00:00Z');

afterAll(async () => {
  await cleanupRedis(prefix);
  redis.disconnect();
});

test('REDIS_URL names a cluster of three masters (run by npm run test:cluster)', async () => {
  expect(isClusterTarget(REDIS_URL)).toBe(true);
  expect(redis).toBeInstanceOf(Cluster);
  expect(await scanNodes(redis)).toHaveLength(3);
});

test('a lead’s keys share a slot, the indexes share one, and 300 leads spread over every master', async () => {
  const keys = new LedgerKeys(prefix);
  const slot = calculateSlot(keys.lead('woX'));
  expect([keys.timeline('woX'), keys.entries('woX')].map((k) => calculateSlot(k))).toEqual([slot, slot]);
  const idx = calculateSlot(keys.idx('all'));
  expect(['due', 'lastcust', 'owners', 'owner:zhangsan', 'state:price_check', 'outcome:open'].map((n) => calculateSlot(keys.idx(n)))).toEqual(
    Array(6).fill(idx),
  );
  const inbox = inboxKeys(prefix);
  expect(calculateSlot(inbox.seen('a'))).toBe(calculateSlot(inbox.stream));

  const store = new LedgerStore(redis, prefix, new ManualClock(T));
  const leads = Array.from({ length: 300 }, (_, i) =>
    newLead({ id: `woSPREAD${i}`, externalUserId: `woSPREAD${i}`, name: `客户${i}`, owner: i % 2 ? 'zhangsan' : 'lisi', source: 'web', createdAt: T + i }),
  );
  await store.bulkLoad(leads.map((lead) => ({ lead, entries: [] })));
  const perNode = await Promise.all((await scanNodes(redis)).map(async (node) => (await node.keys(`${prefix}:lead:*`)).length));
  expect(perNode.every((n) => n > 50)).toBe(true);
  expect(perNode.reduce((a, b) => a + b)).toBe(300);
  // A filter intersects two indexes in one command; the lists read leads from every node.
  const { ids, total } = await store.queryLeads({ owner: 'zhangsan', state: 'unknown', offset: 0, limit: 500 });
  expect(total).toBe(150);
  expect((await store.getLeads(ids)).map((l) => l.owner)).toEqual(Array(150).fill('zhangsan'));
  expect((await store.queryLeads({ state: 'unknown', outcome: 'open', offset: 0, limit: 10 })).total).toBe(300);
});

test('a pipeline across nodes answers in order, scripts and errors in their places', async () => {
  const keys = Array.from({ length: 60 }, (_, i) => `${prefix}:pipe:{k${i}}`);
  const nodes = new Set(keys.map((k) => (redis as Cluster).slots[calculateSlot(k)]?.[0]));
  expect(nodes.size).toBe(3);
  const p = pipeline(redis);
  keys.forEach((k, i) => p.set(k, String(i)));
  p.hset(keys[7] as string, 'f', 'v'); // WRONGTYPE: a string
  keys.forEach((k) => p.get(k));
  const res = (await p.exec()) ?? [];
  expect(res).toHaveLength(121);
  expect(res.slice(0, 60).every(([err, r]) => err === null && r === 'OK')).toBe(true);
  expect(String(res[60]?.[0])).toMatch(/WRONGTYPE/);
  expect(res.slice(61).map(([, r]) => r)).toEqual(keys.map((_, i) => String(i)));
});

test('BullMQ’s queues keep their keys in the {bull} slot', async () => {
  const connection = createRedis(REDIS_URL, 'worker');
  const queue = new Queue(QUEUES.send, { connection, prefix: bullPrefix(prefix) });
  try {
    await queue.add('probe', { n: 1 }, { jobId: 'probe-1' });
    const found = (await Promise.all((await scanNodes(redis)).map((n) => n.keys(`${bullPrefix(prefix)}:*`)))).flat();
    expect(found.length).toBeGreaterThan(1);
    expect(new Set(found.map((k) => calculateSlot(k))).size).toBe(1);
  } finally {
    await queue.obliterate({ force: true });
    await queue.close();
    connection.disconnect();
  }
});
