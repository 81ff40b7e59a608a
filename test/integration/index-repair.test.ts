import { createRedis } from '../../src/store/redis';
import { ManualClock } from '../../src/domain/clock';
import { newLead } from '../../src/domain/lead';
import { LedgerStore } from '../../src/store/ledger-store';
import { cleanupRedis, REDIS_URL, uniquePrefix } from '../helpers/config';

const prefix = uniquePrefix('idxrepair');
const redis = createRedis(REDIS_URL, 'general');
const T = Date.parse('2026-11-20T02:00:00Z');
const store = new LedgerStore(redis, prefix, new ManualClock(T));
const idx = (name: string) => `${prefix}:{idx}:${name}`;

afterAll(async () => {
  await cleanupRedis(prefix);
  redis.disconnect();
});

test('indexes that drifted from the leads (a crash between the lead write and its index writes) are repaired', async () => {
  const leads = [
    newLead({ id: 'woA', externalUserId: 'woA', name: 'A', owner: 'zhangsan', source: 'web', createdAt: T, state: 'price_check' }),
    newLead({ id: 'woB', externalUserId: 'woB', name: 'B', owner: 'lisi', source: 'web', createdAt: T + 1 }),
    newLead({ id: 'm-c', name: 'C', owner: 'zhangsan', source: 'phone', createdAt: T + 2 }),
    newLead({ id: 'm-merged', name: 'D', owner: 'zhangsan', source: 'phone', createdAt: T + 3, mergedInto: 'woA' }),
  ];
  await store.bulkLoad(leads.map((lead) => ({ lead, entries: [] })));
  // bulkLoad, writes and the repair share one membership rule (membershipsOf): the merged lead was never indexed,
  // so a fresh load has nothing to repair.
  expect(await store.repairIndexes()).toEqual({ leads: 3, added: 0, removed: 0 });

  // Drift: A missing from `all` and its owner list; B still listed under its old state, outcome and owner; a lead
  // that no longer exists still due and listed; C missing from the manual list.
  await redis.zrem(idx('all'), 'woA');
  await redis.zrem(idx('owner:zhangsan'), 'woA');
  await redis.zadd(idx('state:exploring'), String(T), 'woB');
  await redis.zadd(idx('outcome:won'), String(T), 'woB');
  await redis.zadd(idx('owner:zhangsan'), String(T), 'woB');
  await redis.zadd(idx('due'), String(T), 'woGONE');
  await redis.zadd(idx('state:unknown'), String(T), 'woGONE');
  await redis.zrem(idx('manual:zhangsan'), 'm-c');

  expect(await store.repairIndexes()).toEqual({ leads: 3, added: 3, removed: 5 });
  expect(await redis.zrange(idx('all'), '0', '-1')).toEqual(['woA', 'woB', 'm-c']);
  expect((await redis.zrange(idx('owner:zhangsan'), '0', '-1')).sort()).toEqual(['m-c', 'woA']);
  expect(await redis.zrange(idx('state:exploring'), '0', '-1')).toEqual([]);
  expect(await redis.zrange(idx('outcome:won'), '0', '-1')).toEqual([]);
  expect(await redis.zrange(idx('due'), '0', '-1')).toEqual([]);
  expect(await redis.zrange(idx('manual:zhangsan'), '0', '-1')).toEqual(['m-c']);
  expect((await store.queryLeads({ owner: 'zhangsan', offset: 0, limit: 10 })).ids.sort()).toEqual(['m-c', 'woA']);
  expect(await store.repairIndexes()).toEqual({ leads: 3, added: 0, removed: 0 });
});

test('a write retried after a crash between the lead and its indexes repairs them at once (not at the nightly repair)', async () => {
  // The first run wrote the lead (a new customer, then its state) and died before its index writes.
  const lead = newLead({ id: 'woRETRY000001', externalUserId: 'woRETRY000001', name: '重试', owner: 'wangwu', source: 'web', createdAt: T + 10 });
  await redis.set(`${prefix}:lead:{${lead.id}}`, JSON.stringify(lead));
  const add = (cur: typeof lead | undefined) => cur ?? lead;
  const { after } = await store.updateLead(lead.id, add); // the inbox's retry of the same event
  expect(after).toEqual(lead);
  expect(await redis.zscore(idx('all'), lead.id)).not.toBeNull();
  expect(await redis.zscore(idx('owner:wangwu'), lead.id)).not.toBeNull();
  expect(await redis.zscore(idx('state:unknown'), lead.id)).toBe(String(lead.createdAt));
  expect(await redis.zscore(idx('lastcust'), lead.id)).not.toBeNull();
  expect((await store.queryLeads({ outcome: 'open', owner: 'wangwu', offset: 0, limit: 10 })).ids).toEqual([lead.id]); // open: in no closed list
  expect((await store.queryLeads({ owner: 'wangwu', offset: 0, limit: 10 })).ids).toEqual([lead.id]);

  // Then a state change whose index writes were lost: the retry leaves it in its new state only.
  const positioned = { ...lead, state: 'price_check' as const };
  await redis.set(`${prefix}:lead:{${lead.id}}`, JSON.stringify(positioned));
  await store.updateLead(lead.id, (cur) => (cur ? { ...cur, state: 'price_check' } : undefined));
  expect(await redis.zscore(idx('state:unknown'), lead.id)).toBeNull();
  expect(await redis.zscore(idx('state:price_check'), lead.id)).toBe(String(lead.createdAt));
  expect((await store.queryLeads({ state: 'price_check', offset: 0, limit: 10 })).ids).toContain(lead.id);
  expect((await store.queryLeads({ state: 'unknown', offset: 0, limit: 10 })).ids).not.toContain(lead.id);
});

test('indexes written before the {idx} hash tag move to their new keys once, with their scores, without undoing newer writes', async () => {
  const p = `${prefix}-legacy`;
  const legacyStore = new LedgerStore(redis, p, new ManualClock(T));
  const leads = [
    newLead({ id: 'woL1', externalUserId: 'woL1', name: 'L1', owner: 'zhangsan', source: 'web', createdAt: T, state: 'price_check' }),
    newLead({ id: 'woL2', externalUserId: 'woL2', name: 'L2', owner: 'lisi', source: 'web', createdAt: T + 1 }),
  ];
  await legacyStore.bulkLoad(leads.map((lead) => ({ lead, entries: [] })));
  // Make the data look as the old layout wrote it: every index under <p>:idx:<name>, a customer touch and a due time.
  const names = ['all', 'lastcust', 'owner:zhangsan', 'owner:lisi', 'owners', 'state:price_check', 'state:unknown', 'outcome:open'];
  for (const name of names) {
    const from = `${p}:{idx}:${name}`;
    const type = await redis.type(from);
    if (/^(state|outcome|manual):/.test(name)) {
      // Plain sets in the old layout.
      const members = await redis.zrange(from, '0', '-1');
      if (members.length) await redis.sadd(`${p}:idx:${name}`, ...members);
    } else if (type === 'zset') {
      const flat = await redis.zrange(from, '0', '-1', 'WITHSCORES');
      for (let i = 0; i < flat.length; i += 2) await redis.zadd(`${p}:idx:${name}`, flat[i + 1] as string, flat[i] as string);
    } else await redis.sadd(`${p}:idx:${name}`, ...(await redis.smembers(from)));
    await redis.del(from);
  }
  await redis.sadd(`${p}:idx:outcome:open`, 'woL1', 'woL2'); // open leads were listed then
  await redis.zadd(`${p}:idx:lastcust`, String(T + 5000), 'woL1');
  await redis.zadd(`${p}:idx:due`, String(T + 9000), 'woL2');
  // Written by the new code after the upgrade, before the migration ran: kept.
  await redis.zadd(`${p}:{idx}:due`, String(T + 7000), 'woL2');

  expect(await legacyStore.migrateLegacyIndexes()).toBe(names.length + 1);
  expect(await redis.zrange(`${p}:{idx}:all`, '0', '-1')).toEqual(['woL1', 'woL2']);
  expect(await redis.zscore(`${p}:{idx}:lastcust`, 'woL1')).toBe(String(T + 5000));
  expect(await redis.zscore(`${p}:{idx}:due`, 'woL2')).toBe(String(T + 7000));
  expect(await redis.zrange(`${p}:{idx}:state:price_check`, '0', '-1')).toEqual(['woL1']);
  expect((await legacyStore.queryLeads({ state: 'unknown', offset: 0, limit: 10 })).ids).toEqual(['woL2']);
  expect(await legacyStore.queryLeads({ outcome: 'open', offset: 0, limit: 10 })).toEqual({ ids: ['woL2', 'woL1'], total: 2 });
  expect(await redis.exists(`${p}:{idx}:outcome:open`)).toBe(0);
  expect(await legacyStore.owners()).toEqual(expect.arrayContaining(['zhangsan', 'lisi']));
  for (const name of [...names, 'due']) expect(await redis.exists(`${p}:idx:${name}`)).toBe(0);
  expect(await legacyStore.migrateLegacyIndexes()).toBe(0); // once
  // Later starts do not scan: legacy keys written by an old process still running are left to the nightly repair.
  await redis.zadd(`${p}:idx:all`, String(T), 'woL1');
  expect(await legacyStore.migrateLegacyIndexes()).toBe(0);
  await cleanupRedis(p);
});
