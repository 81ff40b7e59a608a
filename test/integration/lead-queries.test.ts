/**
 * The lead list's filters (src/store/ledger/indexes.ts) against a brute-force filter over the same leads: every
 * combination of owner, state, outcome and quiet, several pages each — the same ids in the same order, the same total.
 */
import { ManualClock } from '../../src/domain/clock';
import { BUYING_STATES, newLead, OUTCOMES, type Lead } from '../../src/domain/lead';
import { LedgerStore } from '../../src/store/ledger-store';
import { createRedis } from '../../src/store/redis';
import type { LeadQuery } from '../../src/app/ports';
import { cleanupRedis, REDIS_URL, uniquePrefix } from '../helpers/config';

const prefix = uniquePrefix('queries');
const redis = createRedis(REDIS_URL, 'general');
const T = Date.parse('2026-11-20T02:00:00Z');
const store = new LedgerStore(redis, prefix, new ManualClock(T + 10_000_000));
const leads: { lead: Lead; touch: number }[] = [];

beforeAll(async () => {
  for (let i = 0; i < 240; i++) {
    const lead = newLead({
      id: `woQ${String(i).padStart(4, '0')}`,
      externalUserId: `woQ${String(i).padStart(4, '0')}`,
      name: `客户${i}`,
      owner: ['zhangsan', 'lisi', 'wangwu'][i % 3] as string,
      source: 'web',
      createdAt: T + i * 1000,
      state: BUYING_STATES[(i * 7) % BUYING_STATES.length],
    });
    lead.outcome = OUTCOMES[i % 11 === 0 ? 1 : i % 13 === 0 ? 2 : 0] as Lead['outcome'];
    // The quiet index holds the last customer touch, the lead's arrival at the least.
    leads.push({ lead, touch: Math.max(lead.createdAt, T + ((i * 37) % 240) * 1000 + 500) });
  }
  await store.bulkLoad(
    leads.map(({ lead, touch }) => ({
      lead,
      entries: [{ id: `m:${lead.id}`, at: touch, kind: 'customer_message' as const, source: 'archive' as const, actor: lead.id }],
    })),
  );
  // One lead changes outcome and state after the load, through a write: the lists follow it.
  await store.updateLead('woQ0005', (cur) => (cur ? { ...cur, outcome: 'won', state: 'price_check' } : undefined));
  const changed = leads.find((l) => l.lead.id === 'woQ0005') as { lead: Lead };
  changed.lead = { ...changed.lead, outcome: 'won', state: 'price_check' };
});

afterAll(async () => {
  await cleanupRedis(prefix);
  redis.disconnect();
});

function expected(q: LeadQuery): { ids: string[]; total: number } {
  const rows = leads.filter(
    ({ lead, touch }) =>
      (!q.owner || lead.owner === q.owner) &&
      (!q.state || lead.state === q.state) &&
      (!q.outcome || lead.outcome === q.outcome) &&
      (q.quietSince === undefined || touch <= q.quietSince),
  );
  rows.sort((a, b) => (q.quietSince !== undefined ? a.touch - b.touch : b.lead.createdAt - a.lead.createdAt));
  return { ids: rows.slice(q.offset, q.offset + q.limit).map((r) => r.lead.id), total: rows.length };
}

test('every combination of filters gives the brute-force answer, page by page', async () => {
  let checked = 0;
  for (const owner of [undefined, 'lisi'])
    for (const state of [undefined, 'price_check', 'exploring'] as const)
      for (const outcome of [undefined, 'open', 'won', 'lost'] as const)
        for (const quietSince of [undefined, T + 120_000])
          for (const [offset, limit] of [
            [0, 7],
            [7, 50],
          ] as const) {
            const q: LeadQuery = { owner, state, outcome, quietSince, offset, limit };
            expect({ q, ...(await store.queryLeads(q)) }).toEqual({ q, ...expected(q) });
            checked++;
          }
  expect(checked).toBe(96);
});

test('counts by state and outcome: open is every listed lead not closed', async () => {
  const counts = await store.countByStateAndOutcome();
  for (const o of OUTCOMES) expect(counts.outcome[o]).toBe(leads.filter((l) => l.lead.outcome === o).length);
  for (const s of BUYING_STATES) expect(counts.state[s]).toBe(leads.filter((l) => l.lead.state === s).length);
});

test('a page read at once (loadMany) has the same leads and timelines, in the same order, as one read per lead', async () => {
  // Entries written out of order, eight at the same instant: the timeline's sorted set orders them by time, ties by id
  // (the entries' hash gives them back in its own order).
  const at = T + 5_000_000;
  const tied = ['m:h', 'm:c', 'm:f', 'm:a', 'm:g', 'm:d', 'm:b', 'm:e'];
  await store.addEntry('woQ0007', { id: 'm:z', at: at + 60_000, kind: 'rep_message', source: 'archive', actor: 'zhangsan' });
  for (const id of tied) await store.addEntry('woQ0007', { id, at, kind: 'rep_message', source: 'archive', actor: 'zhangsan' });
  const ids = ['woQ0007', 'woQ0008', 'woQmissing', 'woQ0005'];
  const loaded = await store.loadMany(ids);
  expect(loaded.map((l) => l.id)).toEqual(ids);
  for (const l of loaded) {
    expect(l.lead).toEqual(await store.getLead(l.id));
    expect(l.timeline).toEqual(await store.getTimeline(l.id));
  }
  expect(loaded[0]?.timeline.map((e) => e.id)).toEqual(['m:woQ0007', ...[...tied].sort(), 'm:z']);
  expect(loaded[2]).toEqual({ id: 'woQmissing', lead: undefined, timeline: [] });
});

test('two filters with few or no leads in common stop walking once every match is found', async () => {
  const sparse = uniquePrefix('queries-sparse');
  const own = new LedgerStore(redis, sparse, new ManualClock(T + 10_000_000));
  try {
    // 900 leads of one rep: none benchmarking, three (among the newest 100) in price_check, the rest exploring; 2,000
    // leads of other reps in those two states, so the rep's list is the smaller one to walk.
    const lead = (i: number, owner: string, state: Lead['state']) => {
      const id = `woS${String(i).padStart(4, '0')}`;
      return { lead: newLead({ id, externalUserId: id, name: `客户${i}`, owner, source: 'web', createdAt: T + i * 1000, state }), entries: [] };
    };
    await own.bulkLoad(Array.from({ length: 900 }, (_, i) => lead(i, 'solo', [899, 850, 820].includes(i) ? 'price_check' : 'exploring')));
    await own.bulkLoad(Array.from({ length: 2000 }, (_, i) => lead(1000 + i, 'other', i % 2 ? 'price_check' : 'benchmarking')));
    const walked = jest.spyOn(redis, 'zrevrange');
    const none = await own.queryLeads({ owner: 'solo', state: 'benchmarking', offset: 0, limit: 50 });
    expect(none).toEqual({ ids: [], total: 0 });
    const three = await own.queryLeads({ owner: 'solo', state: 'price_check', offset: 0, limit: 50 });
    expect(three).toEqual({ ids: ['woS0899', 'woS0850', 'woS0820'], total: 3 });
    // One chunk each (the first 100 of the rep's 900), not the whole list.
    expect(walked).toHaveBeenCalledTimes(2);
    walked.mockRestore();
  } finally {
    await cleanupRedis(sparse);
  }
});
