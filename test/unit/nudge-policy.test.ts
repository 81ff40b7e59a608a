import { TEST_NUDGE_SETTINGS } from '../helpers/nudge-settings';
import { newLead, type Lead } from '../../src/domain/lead';
import { computeMetrics, DAY_MS } from '../../src/domain/metrics';
import { evaluateNudges, inBusinessHours, nextBusinessOpening, POSITION_QUESTION, WEEKLY_QUESTION } from '../../src/domain/nudge-policy';
import type { TimelineEntry } from '../../src/domain/timeline';

const H = 3_600_000;
// Wednesday 2026-11-25 10:00 in Shanghai
const NOW = Date.parse('2026-11-25T02:00:00Z');
const S = TEST_NUDGE_SETTINGS;

let n = 0;
const e = (at: number, kind: TimelineEntry['kind'], extra: Partial<TimelineEntry> = {}): TimelineEntry => ({
  id: `e${n++}`,
  at,
  kind,
  source: 'command',
  ...extra,
});
const lead = (over: Partial<Lead> = {}): Lead =>
  newLead({ id: 'woA', externalUserId: 'woA', name: '王建国', remark: '王总', owner: 'zhangsan', source: 'inquiry', createdAt: NOW - 1 * H, ...over });
const evaluate = (l: Lead, t: TimelineEntry[] = [], now = NOW, s = S) => evaluateNudges(l, computeMetrics(l, t, now), t, s, now);
/** A lead that is fine on every count: positioned, called yesterday, customer spoke yesterday, in a group of three. */
const healthy = (over: Partial<Lead> = {}) =>
  lead({ state: 'exploring', createdAt: NOW - 20 * DAY_MS, groups: ['wr1'], stakeholders: ['woA', 'wmB', 'wmC'], ...over });
const healthyTimeline = () => [e(NOW - DAY_MS, 'call', { minutes: 10 }), e(NOW - DAY_MS, 'customer_message'), e(NOW - 10 * DAY_MS, 'group_created')];

describe('position', () => {
  test('not before 2 hours; at exactly 2 hours: the three-way question verbatim', () => {
    expect(evaluate(lead({ createdAt: NOW - 2 * H + 1 })).nudge).toBeUndefined();
    expect(evaluate(lead({ createdAt: NOW - 2 * H + 1 })).nextCheckAt).toBe(NOW + 1);
    const r = evaluate(lead({ createdAt: NOW - 2 * H }));
    expect(r.nudge).toMatchObject({ kind: 'position', leadId: 'woA', owner: 'zhangsan' });
    expect(r.nudge?.text).toContain(POSITION_QUESTION);
  });
  test('resolved by positioning', () => {
    expect(evaluate(lead({ createdAt: NOW - 3 * H, state: 'price_check' })).nudge?.kind).not.toBe('position');
  });
});

describe('quiet, by buying state', () => {
  test.each([
    ['price_check', 3],
    ['benchmarking', 3],
    ['exploring', 7],
  ] as const)('%s: quiet after %i days, not a minute before', (state, limit) => {
    const t = [e(NOW - DAY_MS, 'call', { minutes: 5 }), e(NOW - limit * DAY_MS + 60_000, 'customer_message'), e(NOW - 10 * DAY_MS, 'group_created')];
    expect(evaluate(healthy({ state }), t).nudge).toBeUndefined();
    const t2 = [
      e(NOW - DAY_MS, 'call', { minutes: 5, outcome: 'no_answer' }),
      e(NOW - limit * DAY_MS, 'customer_message'),
      e(NOW - 10 * DAY_MS, 'group_created'),
    ];
    const r = evaluate(healthy({ state }), t2);
    expect(r.nudge?.kind).toBe('quiet');
    expect(r.nudge?.text).toMatch(new RegExp(`${limit} 天前：客户发来消息`));
    expect(r.nudge?.text).toMatch(/打个电话|约个会/);
  });
  test('quiet and uncalled at once: the quiet nudge carries the direct question of the weekly call', () => {
    const t = [e(NOW - 8 * DAY_MS, 'call', { minutes: 5 }), e(NOW - 8 * DAY_MS, 'customer_message'), e(NOW - 10 * DAY_MS, 'group_created')];
    const r = evaluate(healthy({ state: 'price_check' }), t);
    expect(r.nudge?.kind).toBe('quiet');
    expect(r.nudge?.text).toContain(`「王总，我上次不是给您汇报过吗？${WEEKLY_QUESTION}」`);
    // Called this week (no answer: no customer touch): the quiet nudge alone, without the weekly question.
    const called = [e(NOW - 2 * DAY_MS, 'call', { outcome: 'no_answer' }), e(NOW - 8 * DAY_MS, 'customer_message'), e(NOW - 10 * DAY_MS, 'group_created')];
    expect(evaluate(healthy({ state: 'price_check' }), called).nudge?.text).not.toContain(WEEKLY_QUESTION);
  });
  test('resolved by a customer reply', () => {
    const t = [e(NOW - 5 * DAY_MS, 'customer_message'), e(NOW - 2 * DAY_MS, 'call', { minutes: 5 }), e(NOW - 10 * DAY_MS, 'group_created')];
    expect(evaluate(healthy({ state: 'price_check' }), t).nudge).toBeUndefined();
  });
});

describe('weekly call', () => {
  test('an open lead with no call in 7 days; the direct question', () => {
    const t = [e(NOW - 7 * DAY_MS, 'call', { minutes: 10 }), e(NOW - DAY_MS, 'customer_message'), e(NOW - 10 * DAY_MS, 'group_created')];
    const r = evaluate(healthy(), t);
    expect(r.nudge?.kind).toBe('weekly_call');
    expect(r.nudge?.text).toContain(WEEKLY_QUESTION);
    expect(r.nudge?.text).toContain('王总，我上次不是给您汇报过吗？');
  });
  test('a call 6 days 23 hours ago: not yet, and the next check is when it becomes due', () => {
    const callAt = NOW - 7 * DAY_MS + H;
    const r = evaluate(healthy(), [e(callAt, 'call', { minutes: 10 }), e(NOW - DAY_MS, 'customer_message'), e(NOW - 10 * DAY_MS, 'group_created')]);
    expect(r.nudge).toBeUndefined();
    expect(r.nextCheckAt).toBe(callAt + 7 * DAY_MS);
  });
});

describe('proposal → meeting', () => {
  test('asked for a proposal 4 hours ago and nothing followed', () => {
    const t = [...healthyTimeline(), e(NOW - 4 * H, 'proposal_requested')];
    expect(evaluate(healthy(), t).nudge).toMatchObject({ kind: 'proposal_to_meeting' });
    expect(evaluate(healthy(), t).nudge?.text).toMatch(/不要单方面去写/);
  });
  test('resolved by a meeting or a group after it', () => {
    expect(evaluate(healthy(), [...healthyTimeline(), e(NOW - 5 * H, 'proposal_requested'), e(NOW - 1 * H, 'meeting_scheduled')]).nudge).toBeUndefined();
    expect(evaluate(healthy(), [...healthyTimeline(), e(NOW - 5 * H, 'proposal_requested'), e(NOW - 1 * H, 'group_created')]).nudge).toBeUndefined();
  });
});

describe('open group and widen chain', () => {
  test('a real conversation and no group → open_group', () => {
    const t = [e(NOW - DAY_MS, 'call', { minutes: 20 }), e(NOW - DAY_MS, 'customer_message')];
    expect(evaluate(healthy({ groups: [], stakeholders: ['woA'] }), t).nudge?.kind).toBe('open_group');
    expect(
      evaluate(healthy({ groups: [], stakeholders: ['woA'] }), [e(NOW - DAY_MS, 'call', { minutes: 2 }), e(NOW - DAY_MS, 'customer_message')]).nudge,
    ).toBeUndefined();
  });
  test('one customer-side person in the group for 3 days → widen_chain; resolved by a new member', () => {
    const t = [e(NOW - DAY_MS, 'call', { minutes: 10 }), e(NOW - DAY_MS, 'customer_message'), e(NOW - 3 * DAY_MS, 'group_created')];
    expect(evaluate(healthy({ stakeholders: ['woA'] }), t).nudge?.kind).toBe('widen_chain');
    expect(evaluate(healthy({ stakeholders: ['woA'] }), [...t.slice(0, 2), e(NOW - 3 * DAY_MS + H, 'group_created')]).nudge).toBeUndefined();
    expect(evaluate(healthy({ stakeholders: ['woA', 'wmB'] }), t).nudge).toBeUndefined();
  });
});

describe('decision due', () => {
  test('the decision date passed yesterday and the lead is open', () => {
    expect(evaluate(healthy({ decisionDate: '2026-11-24' }), healthyTimeline()).nudge?.kind).toBe('decision_due');
    expect(evaluate(healthy({ decisionDate: '2026-11-25' }), healthyTimeline()).nudge).toBeUndefined();
  });
  test('it outranks the others', () => {
    expect(evaluate(lead({ createdAt: NOW - 30 * DAY_MS, decisionDate: '2026-11-20' })).nudge?.kind).toBe('decision_due');
  });
});

describe('who gets nothing', () => {
  test.each([
    ['won', healthy({ outcome: 'won', state: 'unknown' })],
    ['lost', healthy({ outcome: 'lost', state: 'unknown' })],
    ['closed relationship', healthy({ relationship: 'closed', state: 'unknown' })],
  ])('%s', (_n, l) => {
    expect(evaluate(l, []).nudge).toBeUndefined();
  });
  test('snoozed: nothing until the snooze ends, then it is due again', () => {
    const l = lead({ createdAt: NOW - 5 * DAY_MS, snoozedUntil: NOW + DAY_MS });
    expect(evaluate(l)).toEqual({ suppressed: [], nextCheckAt: NOW + DAY_MS });
    expect(evaluate(l, [], NOW + DAY_MS).nudge?.kind).toBe('position');
  });
});

describe('repeat periods', () => {
  test('at most one nudge about a lead in 20 hours, whatever the kind', () => {
    const l = lead({ createdAt: NOW - 10 * DAY_MS });
    const sentAt = NOW - 20 * H + 1;
    expect(evaluate(l, [e(sentAt, 'nudge_sent', { nudgeKind: 'position' })])).toEqual({ suppressed: [], nextCheckAt: sentAt + 20 * H });
    // unless the rep acted since (a command or a card press): then the next thing may come
    const acted = [e(sentAt, 'nudge_sent', { nudgeKind: 'position' }), e(sentAt + H, 'state_changed', { source: 'command', to: 'price_check' })];
    expect(evaluate({ ...l, state: 'price_check' }, acted).nudge?.kind).toBe('quiet');
  });
  test("the rep's own WeCom call or message, read from the chat archive, is acting too; the customer's words are not", () => {
    const l = lead({ createdAt: NOW - 10 * DAY_MS, state: 'price_check' });
    const sentAt = NOW - 20 * H + 1;
    const sent = e(sentAt, 'nudge_sent', { nudgeKind: 'quiet' });
    const after = (x: Partial<TimelineEntry> & { kind: TimelineEntry['kind'] }) => [sent, e(sentAt + H, x.kind, { source: 'archive', ...x })];
    expect(evaluate(l, after({ kind: 'call', actor: 'zhangsan', minutes: 15 })).nudge?.kind).toBe('open_group');
    expect(evaluate(l, after({ kind: 'rep_message', actor: 'zhangsan' })).nudge).toBeDefined();
    expect(evaluate(l, after({ kind: 'customer_message', actor: 'woA' }))).toEqual({ suppressed: [], nextCheckAt: sentAt + 20 * H });
    expect(evaluate(l, after({ kind: 'rep_message', actor: 'zhangsan', recalls: 'archive:x' }))).toEqual({ suppressed: [], nextCheckAt: sentAt + 20 * H });
  });
  test('the same kind is not sent again within its period; the next most urgent one goes instead', () => {
    const l = lead({ createdAt: NOW - 10 * DAY_MS });
    const t = [e(NOW - 21 * H, 'nudge_sent', { nudgeKind: 'position' })];
    const r = evaluate(l, t);
    expect(r.suppressed).toEqual(['position']);
    expect(r.nudge?.kind).toBe('quiet');
    expect(evaluate(l, [e(NOW - DAY_MS, 'nudge_sent', { nudgeKind: 'position' })]).nudge?.kind).toBe('position');
  });
});

describe('the business clock', () => {
  test('hours and days in Asia/Shanghai', () => {
    expect(inBusinessHours(Date.parse('2026-11-25T00:59:59Z'), S)).toBe(false); // 08:59:59
    expect(inBusinessHours(Date.parse('2026-11-25T01:00:00Z'), S)).toBe(true); // 09:00
    expect(inBusinessHours(Date.parse('2026-11-25T09:59:59Z'), S)).toBe(true); // 17:59:59
    expect(inBusinessHours(Date.parse('2026-11-25T10:00:00Z'), S)).toBe(false); // 18:00
    expect(inBusinessHours(Date.parse('2026-11-28T02:00:00Z'), S)).toBe(false); // Saturday
  });
  test('outside hours no nudge; next check is the next opening (Friday evening → Monday 09:00)', () => {
    const fridayEvening = Date.parse('2026-11-27T11:00:00Z'); // 19:00
    const r = evaluate(lead({ createdAt: fridayEvening - 5 * DAY_MS }), [], fridayEvening);
    expect(r.nudge).toBeUndefined();
    expect(r.nextCheckAt).toBe(Date.parse('2026-11-30T01:00:00Z'));
    expect(nextBusinessOpening(Date.parse('2026-11-25T00:30:00Z'), S)).toBe(Date.parse('2026-11-25T01:00:00Z'));
  });
});
