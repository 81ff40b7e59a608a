/**
 * The board's risk indexes and the owners set on a real Redis: the risk list merged across reps by risk, paged,
 * filtered by chip, by state and by both from their own indexes; a lead that changes hands or closes leaves every
 * index of its old place; owners() leaves out a rep whose leads all moved, and is filled by a scan where missing.
 */
import { boardRow, type BoardRow } from '../../src/domain/board/rows';
import type { BuyingState, Lead } from '../../src/domain/lead';
import { RedisBoardProjection } from '../../src/store/board-projection';
import { LedgerStore } from '../../src/store/ledger-store';
import { createRedis } from '../../src/store/redis';
import { boardLead, DAY, NOW, ROW_SETTINGS } from '../helpers/board-rows';
import { cleanupRedis, REDIS_URL, uniquePrefix } from '../helpers/config';

const prefix = uniquePrefix('board-projection');
const redis = createRedis(REDIS_URL, 'general');
const board = new RedisBoardProjection(redis, prefix);
const S = ROW_SETTINGS;
const lead = (id: string, owner: string, state: BuyingState, over: Partial<Lead> = {}): Lead => ({
  ...boardLead(id, { owner, state, ...over }),
});
const row = (l: Lead, proposal = false): BoardRow =>
  boardRow(l, proposal ? [{ id: `p:${l.id}`, at: NOW - 5 * DAY, kind: 'proposal_requested', source: 'archive' }] : [], NOW, S);

afterAll(async () => {
  await cleanupRedis(prefix);
  redis.disconnect();
});

test('risks: merged across reps by risk, paged; by chip, by state, by both; a moved or closed lead leaves every index', async () => {
  // rep a: 6 leads, rep b: 6 leads; the unpositioned ones rank higher; every third asked for a proposal.
  const rows: BoardRow[] = [];
  for (let i = 0; i < 12; i++) {
    const states: BuyingState[] = ['unknown', 'exploring', 'price_check', 'benchmarking'];
    rows.push(row(lead(`wo${String(i).padStart(3, '0')}`, i % 2 ? 'b' : 'a', states[i % 4] as BuyingState), i % 3 === 0));
  }
  await board.saveRows(rows);
  const byRisk = [...rows].sort((x, y) => y.risk - x.risk || x.leadId.localeCompare(y.leadId)).map((r) => r.leadId);
  expect((await board.risks('all', {}, 0, 5)).map((r) => r.leadId)).toEqual(byRisk.slice(0, 5));
  expect((await board.risks('all', {}, 5, 5)).map((r) => r.leadId)).toEqual(byRisk.slice(5, 10));
  expect((await board.risks(['b'], {}, 0, 100)).every((r) => r.owner === 'b')).toBe(true);

  const proposal = await board.risks('all', { chip: 'proposal_no_meeting' }, 0, 100);
  expect(proposal.map((r) => r.leadId).sort()).toEqual(['wo000', 'wo003', 'wo006', 'wo009']);
  const unknown = await board.risks('all', { state: 'unknown' }, 0, 100);
  expect(unknown.map((r) => r.leadId).sort()).toEqual(['wo000', 'wo004', 'wo008']);
  const both = await board.risks('all', { chip: 'proposal_no_meeting', state: 'benchmarking' }, 0, 1);
  expect(both.map((r) => r.leadId)).toEqual(['wo003']);

  // wo000 moves from a to b and gets positioned; wo006 is won: both leave every index of their old place.
  await board.saveRows([row(lead('wo000', 'b', 'price_check'), true), row(lead('wo006', 'a', 'price_check', { outcome: 'won' }), true)]);
  expect((await board.risks(['a'], { chip: 'proposal_no_meeting' }, 0, 100)).map((r) => r.leadId)).toEqual([]);
  expect((await board.risks(['b'], { chip: 'proposal_no_meeting' }, 0, 100)).map((r) => r.leadId).sort()).toEqual(['wo000', 'wo003', 'wo009']);
  expect((await board.risks('all', { state: 'unknown' }, 0, 100)).map((r) => r.leadId).sort()).toEqual(['wo004', 'wo008']);
  expect((await board.risks('all', {}, 0, 100)).map((r) => r.leadId)).not.toContain('wo006');
});

test('owners: kept by every write, a rep whose leads all moved is dropped, and a missing set is filled by a scan', async () => {
  const store = new LedgerStore(redis, `${prefix}-own`);
  await store.bulkLoad([
    { lead: lead('woX1', 'zhangsan', 'unknown'), entries: [] },
    { lead: lead('woX2', 'lisi', 'unknown'), entries: [] },
  ]);
  expect((await store.owners()).sort()).toEqual(['lisi', 'zhangsan']);
  await store.updateLead('woX2', (l) => l && { ...l, owner: 'zhangsan' });
  expect(await store.owners()).toEqual(['zhangsan']);
  await redis.del(`${prefix}-own:{idx}:owners`);
  expect(await store.owners()).toEqual(['zhangsan']);
  expect(await redis.smembers(`${prefix}-own:{idx}:owners`)).toEqual(['zhangsan']);
});
