/** The board's rows and team lines (#13): what each lead contributes and how a rep's line adds up. Pure. */
import { boardRow, teamLine } from '../../src/domain/board/rows';
import { newLead, type Lead } from '../../src/domain/lead';
import type { TimelineEntry } from '../../src/domain/timeline';

const NOW = Date.parse('2026-11-27T02:00:00Z');
const DAY = 86_400_000;
const S = { weeklyCallDays: 7, quietDays: { unknown: 3, exploring: 7, price_check: 3, benchmarking: 3 }, today: '2026-11-27' };
const lead = (id: string, over: Partial<Lead> = {}): Lead => ({
  ...newLead({ id, externalUserId: id, name: id, owner: 'zhangsan', source: 'inquiry', createdAt: NOW - 20 * DAY }),
  ...over,
});

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
