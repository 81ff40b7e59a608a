import { newLead } from '../../src/domain/lead';
import { computeMetrics, DAY_MS, sameCallsOnce } from '../../src/domain/metrics';
import type { TimelineEntry } from '../../src/domain/timeline';

const NOW = Date.parse('2026-11-27T02:00:00Z');
const MIN = 60_000;
const lead = newLead({ id: 'woA', externalUserId: 'woA', name: '王总', owner: 'zhangsan', source: 'inquiry', createdAt: NOW - 40 * DAY_MS });
let n = 0;
const e = (daysAgo: number, kind: TimelineEntry['kind'], extra: Partial<TimelineEntry> = {}): TimelineEntry => ({
  id: `e${n++}`,
  at: NOW - daysAgo * DAY_MS,
  kind,
  source: 'command',
  ...extra,
});

describe('metrics', () => {
  test('a lead with no timeline is quiet since it arrived', () => {
    const m = computeMetrics(lead, [], NOW);
    expect(m).toMatchObject({
      quietDays: 40,
      calls7d: 0,
      calls30d: 0,
      meetings30d: 0,
      stakeholders: 1,
      oneSidedStreak: 0,
      mindshareMinutes30d: 0,
      mindshareTrend: 0,
    });
    expect(m.lastCustomerTouchAt).toBeUndefined();
  });

  test('last touches: customer vs rep, and what counts as a customer touch', () => {
    const t = [
      e(10, 'customer_message'),
      e(8, 'rep_message'),
      e(6, 'call', { outcome: 'no_answer' }),
      e(5, 'member_joined', { customerInitiated: false }),
      e(4, 'document_sent'),
    ];
    const m = computeMetrics(lead, t, NOW);
    expect(m.lastCustomerTouchAt).toBe(NOW - 10 * DAY_MS);
    expect(m.lastRepTouchAt).toBe(NOW - 4 * DAY_MS);
    expect(m.quietDays).toBe(10);
    expect(m.oneSidedStreak).toBe(2); // rep message + document since the customer last answered
  });

  test('the edge of quiet days: 2 days 23 h is 2 days, 3 days exactly is 3', () => {
    expect(computeMetrics(lead, [{ ...e(0, 'customer_message'), at: NOW - 3 * DAY_MS + 3_600_000 }], NOW).quietDays).toBe(2);
    expect(computeMetrics(lead, [e(3, 'customer_message')], NOW).quietDays).toBe(3);
  });

  test('calls in 7 and 30 days; entries in the future are ignored', () => {
    const t = [e(1, 'call', { minutes: 10 }), e(6.9, 'call', { minutes: 5 }), e(7.1, 'call', { minutes: 20 }), e(29, 'call'), e(31, 'call'), e(-1, 'call')];
    expect(computeMetrics(lead, t, NOW)).toMatchObject({ calls7d: 2, calls30d: 4 });
  });

  test('meetings: scheduled then held is one meeting; a scheduled meeting in the future does not count yet', () => {
    const t = [
      e(10, 'meeting_scheduled', { startsAt: NOW - 3 * DAY_MS, link: 'L1' }),
      e(3, 'meeting_held', { link: 'L1', minutes: 45 }),
      e(1, 'meeting_scheduled', { startsAt: NOW + DAY_MS, link: 'L2' }),
    ];
    expect(computeMetrics(lead, t, NOW)).toMatchObject({ meetings7d: 1, meetings30d: 1, mindshareMinutes30d: 45 });
  });

  test('mindshare: calls + meetings + active group conversation, and week over week', () => {
    const chat = 'wrG';
    const t = [
      e(2, 'call', { minutes: 20 }),
      e(3, 'meeting_held', { minutes: 60, link: 'M' }),
      // a 15-minute group conversation with the customer in it, 4 days ago
      { ...e(4, 'rep_message', { chatId: chat }) },
      { ...e(4, 'customer_message', { chatId: chat }), at: NOW - 4 * DAY_MS + 5 * MIN },
      { ...e(4, 'rep_message', { chatId: chat }), at: NOW - 4 * DAY_MS + 15 * MIN },
      // rep talking alone in the group: not customer time
      e(5, 'rep_message', { chatId: chat }),
      // last week: one 30-minute call
      e(9, 'call', { minutes: 30 }),
      e(9, 'customer_message'),
    ];
    const m = computeMetrics(lead, t, NOW);
    expect(m.mindshareThisWeek).toBe(20 + 60 + 15);
    expect(m.mindshareLastWeek).toBe(30);
    expect(m.mindshareTrend).toBe(65);
    expect(m.mindshareMinutes30d).toBe(125);
    expect(m.customerInitiated30d).toBe(2);
  });

  test('an unanswered call is no customer time', () => {
    expect(computeMetrics(lead, [e(1, 'call', { minutes: 3, outcome: 'no_answer' })], NOW)).toMatchObject({
      mindshareMinutes30d: 0,
      calls7d: 1,
      lastCustomerTouchAt: undefined,
    });
  });

  test('stakeholders count the customer-side people on the lead', () => {
    expect(computeMetrics({ ...lead, stakeholders: ['woA', 'wmB', 'wmC'] }, [], NOW).stakeholders).toBe(3);
  });
});

describe('a call WeCom archived and the rep also logged counts once', () => {
  const T = Date.parse('2026-12-02T02:00:00Z');
  const lead = newLead({ id: 'woONE', externalUserId: 'woONE', name: '王总', owner: 'zhangsan', source: 'inquiry', createdAt: T - 10 * DAY_MS });
  const archived = { id: 'archive:v1', at: T, kind: 'call' as const, source: 'archive' as const, actor: 'zhangsan', minutes: 12, outcome: 'talked' };
  const typed = { id: 'cmd:1', at: T + 20 * 60_000, kind: 'call' as const, source: 'command' as const, actor: 'zhangsan', note: '方案下周三定' };
  test.each([
    ['archive first', [archived, typed]],
    ['the rep first', [typed, archived]],
  ])('%s: one call, the archive’s minutes', (_, timeline) => {
    const m = computeMetrics(lead, timeline, T + 3_600_000);
    expect([m.calls7d, m.mindshareMinutes30d]).toEqual([1, 12]);
    expect(sameCallsOnce(timeline)).toEqual([{ ...typed, minutes: 12, outcome: 'talked' }]);
  });
  test('three hours apart, or by another rep: two calls', () => {
    expect(computeMetrics(lead, [archived, { ...typed, at: T + 3 * 3_600_000 }], T + 4 * 3_600_000).calls7d).toBe(2);
    expect(computeMetrics(lead, [archived, { ...typed, actor: 'lisi' }], T + 3_600_000).calls7d).toBe(2);
  });
});
