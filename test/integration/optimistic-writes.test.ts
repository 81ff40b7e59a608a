/**
 * The ledger's writes are optimistic: a store applies a change to the lead (or group) as it last saw it and the write
 * script checks that guess, answering the current value when it is out of date. Two processes writing the same lead
 * — here two stores, each with its own memory — must never lose the other's change, add an entry twice, or leave an
 * index behind. Also the store pipeline's short form: a few commands are sent as plain commands, and must answer
 * like a pipeline (in order, each error in its place). Runs on single Redis and, in test:cluster, on the cluster.
 */
import { Ledger } from '../../src/app/ledger';
import { newLead, type Lead } from '../../src/domain/lead';
import type { TimelineEntry } from '../../src/domain/timeline';
import { LedgerStore } from '../../src/store/ledger-store';
import { pipeline } from '../../src/store/pipeline';
import { createRedis } from '../../src/store/redis';
import { captureLogger, cleanupRedis, REDIS_URL, uniquePrefix } from '../helpers/config';

const prefix = uniquePrefix('optimistic');
const redis = createRedis(REDIS_URL, 'general');
const T = Date.parse('2026-11-20T02:00:00Z');
const clock = { now: () => T };

afterAll(async () => {
  await cleanupRedis(prefix);
  redis.disconnect();
});

const entry = (id: string, at: number): TimelineEntry => ({ id, at, kind: 'call', source: 'command', minutes: 5, outcome: 'talked' });

test('two stores write one lead: an out-of-date guess is redone on what is there, nothing lost or added twice', async () => {
  const a = new LedgerStore(redis, prefix, clock);
  const b = new LedgerStore(redis, prefix, clock);
  const id = 'woOPT0001';
  const created = await a.updateLead(id, (cur) => cur ?? newLead({ id, name: '王总', owner: 'zhangsan', source: 'inquiry', createdAt: T - 1000 }), [
    entry('e1', T - 900),
  ]);
  expect(created.before).toBeUndefined();
  expect(created.added).toEqual([true]);

  // B never saw the lead: its first guess (absent) fails, and the change is applied again to A's lead.
  const seenByB: (Lead | undefined)[] = [];
  const byB = await b.updateLead(
    id,
    (cur) => {
      seenByB.push(cur && { ...cur });
      return cur && { ...cur, remark: '王总-B' };
    },
    [entry('e2', T - 800)],
  );
  expect(seenByB.map((l) => l?.name)).toEqual([undefined, '王总']);
  expect(byB.before?.name).toBe('王总');
  expect(byB.added).toEqual([true]);

  // A last saw its own write, which B has since changed: redone on B's, so B's remark stays.
  const seenByA: (string | undefined)[] = [];
  const byA = await a.updateLead(
    id,
    (cur) => {
      seenByA.push(cur?.remark);
      return cur && { ...cur, state: 'price_check' };
    },
    [entry('e2', T - 800), entry('e3', T - 700)],
  );
  expect(seenByA).toEqual([undefined, '王总-B']);
  expect(byA.added).toEqual([false, true]);

  const lead = await b.getLead(id);
  expect({ remark: lead?.remark, state: lead?.state }).toEqual({ remark: '王总-B', state: 'price_check' });
  expect((await a.getTimeline(id)).map((e) => e.id)).toEqual(['e1', 'e2', 'e3']);
  // Indexed as it is: in its state's list and no other.
  expect((await b.queryLeads({ state: 'price_check', offset: 0, limit: 10 })).ids).toEqual([id]);
  expect((await b.queryLeads({ state: 'unknown', offset: 0, limit: 10 })).total).toBe(0);
  expect((await b.queryLeads({ owner: 'zhangsan', offset: 0, limit: 10 })).ids).toEqual([id]);
});

test('a change that leaves the lead as it is still checks the guess: no write, and `before` is what is there', async () => {
  const a = new LedgerStore(redis, prefix, clock);
  const b = new LedgerStore(redis, prefix, clock);
  const id = 'woOPT0002';
  await a.updateLead(id, (cur) => cur ?? newLead({ id, name: '陈经理', owner: 'lisi', source: 'inquiry', createdAt: T }));
  await b.updateLead(id, (cur) => cur && { ...cur, company: '某某科技' });
  const res = await a.updateLead(id, () => undefined);
  expect(res.before?.company).toBe('某某科技');
  expect(res.after?.company).toBe('某某科技');
  // No lead at all: nothing written, no entries (they belong to a lead).
  const none = await a.updateLead('woOPT-none', () => undefined, [entry('x', T)]);
  expect(none).toEqual({ before: undefined, after: undefined, added: [false] });
  expect(await a.getTimeline('woOPT-none')).toEqual([]);
});

test('two stores update one group: each change lands on the other’s', async () => {
  const a = new LedgerStore(redis, prefix, clock);
  const b = new LedgerStore(redis, prefix, clock);
  const chatId = 'wrOPT1';
  const base = { chatId, customers: [], staff: [], leadIds: [], dismissed: false, updatedAt: T, events: [] };
  await a.updateGroup(chatId, (cur) => cur ?? { ...base, name: '群A' });
  await b.updateGroup(chatId, (cur) => cur && { ...cur, leadIds: [...cur.leadIds, 'woB'] });
  const res = await a.updateGroup(chatId, (cur) => cur && { ...cur, leadIds: [...cur.leadIds, 'woA'] });
  expect(res.before?.leadIds).toEqual(['woB']);
  expect((await b.getGroup(chatId))?.leadIds).toEqual(['woB', 'woA']);
});

test('a short pipeline (sent as plain commands) answers like a long one: in order, each error in its place', async () => {
  for (const n of [3, 20]) {
    const keys = Array.from({ length: n }, (_, i) => `${prefix}:pipe${n}:{k${i}}`);
    const p = pipeline(redis);
    keys.forEach((k, i) => p.set(k, String(i)));
    p.hset(keys[1] as string, 'f', 'v'); // WRONGTYPE: a string
    keys.forEach((k) => p.get(k));
    const res = (await p.exec()) ?? [];
    expect(res).toHaveLength(2 * n + 1);
    expect(res.slice(0, n).every(([err, r]) => err === null && r === 'OK')).toBe(true);
    expect(String(res[n]?.[0])).toMatch(/WRONGTYPE/);
    expect(res.slice(n + 1).map(([, r]) => r)).toEqual(keys.map((_, i) => String(i)));
  }
});

test('a customer who is in groups before their lead exists: the lead’s write answers those groups, and the ledger binds them', async () => {
  const store = new LedgerStore(redis, prefix, clock);
  const id = 'woOPT0003';
  const base = { customers: [id, 'wmOPTother'], staff: ['zhangsan'], leadIds: [], dismissed: false, updatedAt: T };
  for (const chatId of ['wrOPT2', 'wrOPT3']) {
    await store.updateGroup(chatId, () => ({
      ...base,
      chatId,
      events: [{ id: `group_created:${chatId}`, at: T - 500, kind: 'group_created', source: 'callback', chatId }],
    }));
    await store.setGroupCustomers(chatId, [], base.customers, []);
  }
  const ledger = new Ledger({
    store,
    directory: {
      getCustomer: async () => ({ externalUserId: id, name: '周总', followers: [{ userId: 'zhangsan', addedAt: T }] }),
      getGroup: async () => undefined,
      listGroupIds: async () => [],
      listCustomerIds: async () => [],
    },
    outbox: { enqueue: async () => undefined, enqueueMany: async () => undefined },
    invites: { joinCodeFor: async () => undefined },
    activity: { count: async () => undefined },
    clock,
    sourceRules: [],
    log: captureLogger().log,
  });
  const written = await new LedgerStore(redis, prefix, clock).updateCustomerLead(id, () => undefined);
  expect(written.groups.sort()).toEqual(['wrOPT2', 'wrOPT3']); // no lead yet: nothing written, the groups read all the same
  await ledger.customerAdded({ externalUserId: id, userId: 'zhangsan', at: T, entryId: `added:${id}`, source: 'callback' });
  const lead = await store.getLead(id);
  expect(lead?.groups).toEqual(['wrOPT2', 'wrOPT3']);
  expect(lead?.stakeholders).toEqual(['wmOPTother', id].sort());
  expect((await store.getGroup('wrOPT2'))?.leadIds).toEqual([id]);
  expect((await store.getTimeline(id)).map((e) => e.kind).sort()).toEqual(['added', 'group_created', 'group_created']);
});
