/**
 * Archived messages about a customer who is not a lead yet wait for the lead, and only those: a chat or a group
 * between members is not kept; once the customer is a lead (or the group bound to one), replayHeld applies them.
 */
import { ingestArchive, replayHeld } from '../../src/app/archive-ingest';
import type { ArchiveHold } from '../../src/app/ports';
import { newLead } from '../../src/domain/lead';
import type { ArchiveRecord } from '../../src/wecom/events';
import { MemoryLedger } from '../support/fakes';

class MemoryHold implements ArchiveHold {
  readonly held = new Map<string, ArchiveRecord[]>();
  private readonly read = new Map<string, number>();
  async hold(items: { key: string; record: ArchiveRecord }[]) {
    for (const { key, record } of items) this.held.set(key, [...(this.held.get(key) ?? []), record]);
  }
  async keys(max: number) {
    return [...this.held.keys()].slice(0, max);
  }
  async records(key: string) {
    const r = this.held.get(key) ?? [];
    this.read.set(key, r.length);
    return r;
  }
  async release(key: string) {
    const rest = (this.held.get(key) ?? []).slice(this.read.get(key) ?? 0);
    if (rest.length) this.held.set(key, rest);
    else this.held.delete(key);
  }
}

const AT = Date.parse('2026-12-03T02:00:00Z');
const text = (msgid: string, from: string, tolist: string[], roomid = ''): ArchiveRecord => ({
  msgid,
  action: 'send',
  from,
  tolist,
  roomid,
  msgtime: AT,
  msgtype: 'text',
  text: '你好',
});

test('held: a customer not yet a lead, a customer group not yet bound; not held: chats between members', async () => {
  const store = new MemoryLedger();
  const hold = new MemoryHold();
  const result = await ingestArchive(
    store,
    [
      text('a', 'woNEW0001', ['zhangsan']),
      text('b', 'zhangsan', ['woNEW0001']),
      text('c', 'zhangsan', ['lisi']),
      text('d', 'zhangsan', ['lisi', 'wangwu'], 'wrINTERNAL'),
      text('e', 'woNEW0002', ['zhangsan', 'woNEW0001'], 'wrCUSTOMERS'),
    ],
    undefined,
    undefined,
    hold,
  );
  expect(result).toMatchObject({ accepted: 0, unmatched: 5, held: 3 });
  expect([...hold.held.keys()].sort()).toEqual(['c:woNEW0001', 'r:wrCUSTOMERS']);
  expect(hold.held.get('c:woNEW0001')?.map((r) => r.msgid)).toEqual(['a', 'b']);

  // Nothing is ready yet: nothing applied, nothing released.
  const apply = (records: ArchiveRecord[]) => ingestArchive(store, records, undefined, undefined, hold);
  expect(await replayHeld(store, hold, apply)).toBe(0);
  expect(hold.held.size).toBe(2);

  // The customer becomes a lead: their two messages land, the group's stay held.
  await store.updateLead('woNEW0001', () =>
    newLead({ id: 'woNEW0001', externalUserId: 'woNEW0001', name: '新客户', owner: 'zhangsan', source: 'other', createdAt: AT }),
  );
  expect(await replayHeld(store, hold, apply)).toBe(2);
  expect((await store.getTimeline('woNEW0001')).map((e) => e.id)).toEqual(['archive:a', 'archive:b']);
  expect([...hold.held.keys()]).toEqual(['r:wrCUSTOMERS']);
});
