/** The board's rows and team lines: what each lead contributes and how a rep's line adds up. Pure. */
import { boardRow, teamLine, weekStarts } from '../../src/domain/board/rows';
import type { TimelineEntry } from '../../src/domain/timeline';
import { boardLead, DAY, NOW, ROW_SETTINGS } from '../helpers/board-rows';

const S = ROW_SETTINGS;
const lead = boardLead;

test('a quiet, unpositioned, uncalled lead with a passed decision date and an ignored nudge carries every chip and a high risk', () => {
  const timeline: TimelineEntry[] = [
    { id: 'n1', at: NOW - 5 * DAY, kind: 'nudge_sent', source: 'api', nudgeId: 'n1', nudgeKind: 'position' },
    { id: 'p', at: NOW - 6 * DAY, kind: 'proposal_requested', source: 'command' },
  ];
  const row = boardRow(lead('woA', { decisionDate: '2026-11-20' }), timeline, NOW, S);
  expect(row.chips.map((c) => c.chip)).toEqual(['unpositioned', 'quiet', 'no_call_this_week', 'proposal_no_meeting', 'decision_passed', 'nudges_ignored']);
  expect(row).toMatchObject({ open: true, positioned: false, calledRecently: false, nudgesSent30d: 1, nudgesIgnored30d: 1 });
  expect(row.risk).toBeGreaterThan(20);
});

test('a followed-up lead: called, in a meeting with three of theirs, a nudge acted on in 30 minutes — no chips', () => {
  const timeline: TimelineEntry[] = [
    { id: 'c', at: NOW - 2 * DAY, kind: 'call', source: 'command', minutes: 20, outcome: 'talked' },
    { id: 'h', at: NOW - 1 * DAY, kind: 'meeting_held', source: 'reconcile', minutes: 45, customerAttendees: 3 },
    { id: 'n1', at: NOW - 3 * DAY, kind: 'nudge_sent', source: 'api', nudgeId: 'n1' },
    { id: 'a1', at: NOW - 3 * DAY + 30 * 60_000, kind: 'nudge_acted', source: 'card', nudgeId: 'n1' },
  ];
  const row = boardRow(lead('woB', { state: 'benchmarking', decisionDate: '2026-12-20' }), timeline, NOW, S);
  expect(row.chips).toEqual([]);
  expect(row).toMatchObject({ calledRecently: true, meetings7d: 1, stakeholders: 3, nudgesActed30d: 1, actMinutes: [30], risk: 0 });
});

test('a rep’s team line adds up the rows; closed leads count only for meetings and nudges', () => {
  const a = boardRow(lead('woA'), [], NOW, S);
  const b = boardRow(
    lead('woB', { state: 'price_check' }),
    [{ id: 'c', at: NOW - DAY, kind: 'call', source: 'command', minutes: 5, outcome: 'talked' }],
    NOW,
    S,
  );
  const c = boardRow(lead('woC', { outcome: 'won' }), [], NOW, S);
  expect(teamLine('zhangsan', [a, b, c])).toMatchObject({
    rep: 'zhangsan',
    openLeads: 2,
    positionedShare: 0.5,
    calledThisWeek: 1,
    dueWeeklyCall: 2,
    quietLeads: 1,
    medianMinutesToAct: null,
  });
});

test('提醒效果 per kind: acted within 72 h, followed by a call within 7 days, ignored; added up across leads', () => {
  const timeline: TimelineEntry[] = [
    { id: 'q1', at: NOW - 10 * DAY, kind: 'nudge_sent', source: 'api', nudgeId: 'q1', nudgeKind: 'quiet' },
    { id: 'a1', at: NOW - 10 * DAY + 3_600_000, kind: 'nudge_acted', source: 'card', nudgeId: 'q1' },
    { id: 'c1', at: NOW - 9 * DAY, kind: 'call', source: 'card', minutes: 10, outcome: 'talked' },
    { id: 'w1', at: NOW - 5 * DAY, kind: 'nudge_sent', source: 'api', nudgeId: 'w1', nudgeKind: 'weekly_call' },
    { id: 'w2', at: NOW - 1 * DAY, kind: 'nudge_sent', source: 'api', nudgeId: 'w2', nudgeKind: 'weekly_call' },
  ];
  const row = boardRow(lead('woN', { state: 'exploring' }), timeline, NOW, S);
  expect(row.nudgeKinds).toEqual({
    quiet: { sent: 1, acted72h: 1, followed7d: 1, ignored: 0 },
    weekly_call: { sent: 2, acted72h: 0, followed7d: 0, ignored: 1 },
  });
  const line = teamLine('zhangsan', [row, row]);
  expect(line.nudgeKinds.weekly_call).toEqual({ sent: 4, acted72h: 0, followed7d: 0, ignored: 2 });
});

test('weeks start on Monday 00:00 in the business time zone, eight of them, the current week last', () => {
  // Friday 2026-11-27 10:00 in Shanghai; the current week started Monday 2026-11-23 00:00 Shanghai (Sunday 16:00 UTC).
  const weeks = weekStarts(NOW, 'Asia/Shanghai');
  expect(weeks).toHaveLength(8);
  expect(new Date(weeks[7] as number).toISOString()).toBe('2026-11-22T16:00:00.000Z');
  expect(new Date(weeks[0] as number).toISOString()).toBe('2026-10-04T16:00:00.000Z');
  // Sunday 23:30 in Shanghai is still last week there, whatever the server's clock says.
  const sundayNight = Date.parse('2026-11-29T15:30:00Z');
  expect(weekStarts(sundayNight, 'Asia/Shanghai')[7]).toBe(weeks[7]);
  expect(weekStarts(sundayNight + 3_600_000, 'Asia/Shanghai')[7]).toBe(Date.parse('2026-11-29T16:00:00Z'));
});

test('call coverage week by week: a talked call counts in its week; not yet a lead, closed, or no answer do not', () => {
  const weeks = weekStarts(NOW, 'Asia/Shanghai');
  const call = (id: string, at: number, outcome?: 'no_answer'): TimelineEntry => ({ id, at, kind: 'call', source: 'command', minutes: 10, outcome });
  // Created three weeks ago (in the week of weeks[5]); called in weeks[6] and this week; a missed call in weeks[5].
  const a = boardRow(
    lead('woA', { createdAt: weeks[5]! + DAY }),
    [call('c1', weeks[5]! + 2 * DAY, 'no_answer'), call('c2', weeks[6]! + DAY), call('c3', weeks[7]! + 3_600_000)],
    NOW,
    S,
  );
  expect(a.callWeeks).toEqual([-1, -1, -1, -1, -1, 0, 1, 1]);
  // Won two weeks ago: due before, not after.
  const won = lead('woW', { createdAt: NOW - 60 * DAY, outcome: 'won', stamps: { outcome: weeks[6]! + DAY } });
  expect(boardRow(won, [call('c', weeks[4]! + DAY)], NOW, S).callWeeks).toEqual([0, 0, 0, 0, 1, 0, -1, -1]);
  const line = teamLine('zhangsan', [a, boardRow(won, [call('c', weeks[4]! + DAY)], NOW, S)]);
  expect(line.coverageWeeks).toEqual([
    { called: 0, due: 1 },
    { called: 0, due: 1 },
    { called: 0, due: 1 },
    { called: 0, due: 1 },
    { called: 1, due: 1 },
    { called: 0, due: 2 },
    { called: 1, due: 1 },
    { called: 1, due: 1 },
  ]);
});
