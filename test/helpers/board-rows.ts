/** What the board's row tests share: a fixed now (Friday 2026-11-27 10:00 Shanghai), the row settings, a lead. */
import { weekStarts } from '../../src/domain/board/rows';
import { newLead, type Lead } from '../../src/domain/lead';

export const NOW = Date.parse('2026-11-27T02:00:00Z');
export const DAY = 86_400_000;
export const ROW_SETTINGS = {
  weeklyCallDays: 7,
  quietDays: { unknown: 3, exploring: 7, price_check: 3, benchmarking: 3 },
  today: '2026-11-27',
  weeks: weekStarts(NOW, 'Asia/Shanghai'),
};
/** A lead 20 days old, owned by `zhangsan` unless `over` says otherwise. */
export const boardLead = (id: string, over: Partial<Lead> = {}): Lead => ({
  ...newLead({ id, externalUserId: id, name: id, owner: 'zhangsan', source: 'inquiry', createdAt: NOW - 20 * DAY }),
  ...over,
});
