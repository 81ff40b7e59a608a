import { createHash } from 'node:crypto';
import { DateTime } from 'luxon';
import type { Lead } from './lead';
import type { LeadMetrics } from './metrics';
import type { NudgeKind } from './nudge-policy';
import type { TimelineEntry } from './timeline';

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
  const lastAct = Math.max(0, ...timeline.filter((e) => e.kind === 'nudge_acted').map((e) => e.at));
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
