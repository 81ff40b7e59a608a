import { createHash } from 'node:crypto';
import { DateTime } from 'luxon';
import type { Lead } from './lead';
import type { LeadMetrics } from './metrics';
import type { NudgeKind } from './nudge-policy';
import type { TimelineEntry, TimelineKind } from './timeline';

/**
 * The nudge's identity: derived from (lead, kind, repeat cycle), the cycle being the last nudge of that kind on the
 * lead. Two sweeps racing on a lead saw the same last nudge, so they derive the same id — every step of sending is
 * keyed by it (the allowance, the send job, the timeline entry), which makes a nudge go out once.
 */
export function nudgeIdFor(leadId: string, kind: NudgeKind, timeline: readonly TimelineEntry[]): string {
  const cycle = timeline
    .filter((e) => e.kind === 'nudge_sent' && e.nudgeKind === kind)
    .reduce((last, e) => (e.at > last.at ? e : last), { id: 'first', at: -1 }).id;
  return `n-${createHash('sha256').update(`${leadId}:${kind}:${cycle}`).digest('hex').slice(0, 24)}`;
}

/**
 * How many nudges of this kind about this lead were sent since the rep last acted on any nudge (before the one being
 * sent now): the count that escalates to the manager at `escalateAfterIgnored`.
 */
export function ignoredInARow(timeline: readonly TimelineEntry[], kind: NudgeKind): number {
  const lastAct = Math.max(0, ...timeline.filter((e) => e.kind === 'nudge_acted' || e.kind === 'nudge_resolved').map((e) => e.at));
  return timeline.filter((e) => e.kind === 'nudge_sent' && e.nudgeKind === kind && e.at > lastAct).length;
}

/** Whether the manager hears of it: the same nudge ignored `threshold` times in a row. */
export const shouldEscalate = (ignored: number, threshold: number): boolean => ignored >= threshold;

/**
 * How urgently a lead belongs at the top of the weekly digest: days of silence (doubled for leads that compare prices
 * or vendors, who leave fastest), no call this week, and a decision due within the week.
 */
export function digestRisk(lead: Lead, m: LeadMetrics, now: number, timeZone: string): number {
  const inAWeek = DateTime.fromMillis(now, { zone: timeZone }).plus({ days: 7 }).toISODate() as string;
  return (
    m.quietDays * (lead.state === 'price_check' || lead.state === 'benchmarking' ? 2 : 1) +
    (m.calls7d === 0 ? 5 : 0) +
    (lead.decisionDate && lead.decisionDate <= inAWeek ? 10 : 0)
  );
}

/**
 * What closes an open nudge, whichever way it happened (the method: a customer reply, a logged call, a meeting or a new
 * group; and the rep positioning, closing or snoozing the lead), with the label its card shows.
 */
const RESOLVES: Partial<Record<TimelineKind, string>> = {
  customer_message: '客户已回复',
  call: '已打电话',
  meeting_scheduled: '已约会议',
  meeting_held: '已开会',
  group_created: '已建群',
  state_changed: '已定位',
  outcome_changed: '已结束跟进',
  snoozed: '已暂停提醒',
  decision_date_set: '已记决策时间',
  suggestion_answered: '已回答',
};

/** A sent nudge nobody pressed or resolved yet, that a later entry has resolved: its card should say so. */
export interface ResolvedNudge {
  nudgeId: string;
  /** When the nudge was sent (its nudge_sent entry). */
  sentAt: number;
  kind: NudgeKind;
  by: TimelineEntry;
  label: string;
}

export function newlyResolvedNudges(timeline: readonly TimelineEntry[]): ResolvedNudge[] {
  const closed = new Set(timeline.filter((e) => (e.kind === 'nudge_acted' || e.kind === 'nudge_resolved') && e.nudgeId).map((e) => e.nudgeId as string));
  const out: ResolvedNudge[] = [];
  for (const sent of timeline) {
    if (sent.kind !== 'nudge_sent' || !sent.nudgeId || !sent.nudgeKind || closed.has(sent.nudgeId)) continue;
    const by = timeline.filter((e) => e.at > sent.at && RESOLVES[e.kind]).sort((a, b) => a.at - b.at)[0];
    if (by) out.push({ nudgeId: sent.nudgeId, sentAt: sent.at, kind: sent.nudgeKind as NudgeKind, by, label: RESOLVES[by.kind] as string });
  }
  return out;
}

/** Whether a press on this nudge's card comes after it was already handled (pressed, or resolved another way). */
export function nudgeHandled(timeline: readonly TimelineEntry[], nudgeId: string, pressId: string): TimelineEntry | undefined {
  return timeline.find((e) => e.nudgeId === nudgeId && e.id !== pressId && (e.kind === 'nudge_resolved' || e.kind === 'nudge_acted'));
}
