import { DateTime } from 'luxon';
import { groupConversationMinutes, sameCallsOnce } from '../metrics';
import type { TimelineEntry } from '../timeline';

/** One week of the customer's time captured, by kind (the lead page's chart). */
export interface MindshareWeek {
  /** ISO week in the business time zone, e.g. 2026-W48 (a key; people read `monday`'s dates). */
  week: string;
  /** The week's Monday, yyyy-mm-dd. */
  monday: string;
  callMinutes: number;
  meetingMinutes: number;
  groupMinutes: number;
  /** Touches the customer started: messages, joining a group. */
  customerTouches: number;
}

/** Mindshare by week for the last `weeks` weeks (oldest first), weeks starting Monday in the business time zone. Pure. */
export function mindshareByWeek(all: readonly TimelineEntry[], now: number, timeZone: string, weeks = 12): MindshareWeek[] {
  const timeline = sameCallsOnce(all);
  const thisWeek = DateTime.fromMillis(now, { zone: timeZone }).startOf('week');
  const out: MindshareWeek[] = [];
  for (let w = weeks - 1; w >= 0; w--) {
    const start = thisWeek.minus({ weeks: w });
    const from = start.toMillis();
    const to = start.plus({ weeks: 1 }).toMillis();
    const inWeek = timeline.filter((e) => e.at >= from && e.at < to);
    const meetings = new Map<string, number>();
    for (const e of inWeek) if (e.kind === 'meeting_held') meetings.set(e.link ?? e.note ?? e.id, e.minutes ?? 0);
    out.push({
      week: start.toFormat("kkkk-'W'WW"),
      monday: start.toISODate() ?? '',
      callMinutes: inWeek.filter((e) => e.kind === 'call' && e.outcome !== 'no_answer').reduce((a, e) => a + (e.minutes ?? 0), 0),
      meetingMinutes: [...meetings.values()].reduce((a, b) => a + b, 0),
      groupMinutes: groupConversationMinutes([...inWeek], from, to),
      customerTouches: inWeek.filter((e) => e.kind === 'customer_message' || (e.kind === 'member_joined' && e.customerInitiated)).length,
    });
  }
  return out;
}

/** Which side of the conversation an entry is: the customer's words and acts, ours, or the product's own bookkeeping. */
export function sideOf(e: TimelineEntry): 'customer' | 'ours' | 'system' {
  if (e.kind === 'customer_message' || e.kind === 'signal' || (e.kind === 'member_joined' && e.customerInitiated) || e.kind === 'contact_deleted')
    return 'customer';
  switch (e.kind) {
    case 'nudge_sent':
    case 'nudge_acted':
    case 'nudge_resolved':
    case 'nudge_ignored':
    case 'merged':
    case 'suggestion_answered':
      return 'system';
    default:
      return 'ours';
  }
}

/** What came of each nudge sent about a lead: acted on (a press), resolved another way, or still open. */
export interface NudgeOutcome {
  nudgeId: string;
  kind?: string;
  sentAt: number;
  outcome: 'acted' | 'resolved' | 'open';
  /** When it was acted on or resolved, and how. */
  at?: number;
  how?: string;
}

export function nudgeOutcomes(timeline: readonly TimelineEntry[]): NudgeOutcome[] {
  return timeline
    .filter((e) => e.kind === 'nudge_sent' && e.nudgeId)
    .sort((a, b) => a.at - b.at)
    .map((sent) => {
      const closed = timeline.find((e) => e.nudgeId === sent.nudgeId && (e.kind === 'nudge_acted' || e.kind === 'nudge_resolved'));
      return {
        nudgeId: sent.nudgeId as string,
        kind: sent.nudgeKind,
        sentAt: sent.at,
        outcome: !closed ? 'open' : closed.kind === 'nudge_acted' ? 'acted' : 'resolved',
        ...(closed ? { at: closed.at, how: closed.note } : {}),
      };
    });
}
