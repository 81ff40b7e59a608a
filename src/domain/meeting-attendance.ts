import type { Lead } from './lead';
import type { TimelineEntry } from './timeline';

/** What WeCom says of a booked meeting (meeting/get_info, docs/wecom-protocol.md §11.2), in domain terms. */
export interface MeetingReport {
  /** 1 not started, 2 in progress, 3 ended, 4 cancelled, 5 expired. */
  status: 1 | 2 | 3 | 4 | 5;
  /** When it was set to start (ms) and for how long (minutes). */
  startsAt: number;
  minutes: number;
  /** Our members who joined, with the seconds each was in. */
  staff: { userId: string; seconds: number }[];
  /** Customer-side people who joined (WeCom gives them a per-meeting temporary id only), with their seconds. */
  customers: { seconds: number }[];
}

/** What a booked meeting came to, once WeCom has been asked after its end. */
export type AttendanceVerdict =
  /** Not over yet (started late, running over, or moved): ask WeCom again then. */
  | { verdict: 'wait'; recheckAt: number }
  /** Held, with the customer side in it: minutes are the longest a customer-side person stayed. */
  | { verdict: 'held'; at: number; minutes: number; customerAttendees: number; staff: string[] }
  /** Cancelled in WeCom. */
  | { verdict: 'cancelled' }
  /** WeCom gives no customer attendance (never started, only our side joined, or not readable): the rep is asked. */
  | { verdict: 'ask'; why: 'no_customer' | 'not_started' | 'unreadable' };

/** How long after a meeting's planned end attendance is first read, and how often a running meeting is read again. */
export const ATTENDANCE_GRACE_MS = 10 * 60_000;
const RECHECK_MS = 15 * 60_000;
/** A meeting still "not started" this long after its planned end did not happen as booked. */
const GIVE_UP_MS = 2 * 3_600_000;

/** When to first ask WeCom about a meeting: its planned end plus the grace. */
export function attendanceDueAt(startsAt: number, minutes: number): number {
  return startsAt + minutes * 60_000 + ATTENDANCE_GRACE_MS;
}

/** Reads WeCom's report on a booked meeting (undefined: WeCom would not say). Pure. */
export function readAttendance(report: MeetingReport | undefined, now: number): AttendanceVerdict {
  if (!report) return { verdict: 'ask', why: 'unreadable' };
  const end = report.startsAt + report.minutes * 60_000;
  switch (report.status) {
    case 4:
      return { verdict: 'cancelled' };
    case 2:
      return { verdict: 'wait', recheckAt: Math.max(now + RECHECK_MS, end + ATTENDANCE_GRACE_MS) };
    case 1:
      // Moved later in WeCom, or nobody has opened it yet.
      if (now < end + GIVE_UP_MS) return { verdict: 'wait', recheckAt: Math.max(now + RECHECK_MS, Math.min(end + ATTENDANCE_GRACE_MS, end + GIVE_UP_MS)) };
      return { verdict: 'ask', why: 'not_started' };
    case 3:
    case 5: {
      const customers = report.customers.filter((c) => c.seconds > 0);
      if (customers.length === 0) return { verdict: 'ask', why: report.status === 5 || report.staff.length === 0 ? 'not_started' : 'no_customer' };
      const longest = Math.max(...customers.map((c) => c.seconds));
      return {
        verdict: 'held',
        at: report.startsAt,
        minutes: Math.max(1, Math.round(longest / 60)),
        customerAttendees: customers.length,
        staff: report.staff.filter((s) => s.seconds > 0).map((s) => s.userId),
      };
    }
  }
}

/** The meeting a booked entry became (held or not), if it has been settled: by WeCom's attendance or by the rep. */
export function meetingSettlement(timeline: readonly TimelineEntry[], scheduledId: string): TimelineEntry | undefined {
  return timeline.find((e) => e.scheduledId === scheduledId && (e.kind === 'meeting_held' || e.kind === 'meeting_missed'));
}

/** The booked meeting with this WeCom meeting id, if this lead has one. */
export function bookedMeeting(timeline: readonly TimelineEntry[], meetingId: string): TimelineEntry | undefined {
  return timeline.find((e) => e.kind === 'meeting_scheduled' && e.meetingId === meetingId);
}

/**
 * How many people on the customer's side take part: the lead's group members (external ids, the customer included),
 * or the most customer-side people seen in one held meeting (WeCom names them per meeting only, so meetings are
 * not added together), whichever is more.
 */
export function decisionChainSize(lead: Pick<Lead, 'stakeholders'>, timeline: readonly TimelineEntry[]): number {
  let most = lead.stakeholders.length;
  for (const e of timeline) if (e.kind === 'meeting_held' && (e.customerAttendees ?? 0) > most) most = e.customerAttendees ?? 0;
  return most;
}

/**
 * Whether a meeting or a group followed a moment (a proposal request, say): a group opened, a meeting held, or a
 * meeting booked that has not been settled as missed.
 */
export function meetingOrGroupSince(timeline: readonly TimelineEntry[], since: number): boolean {
  const missed = new Set(timeline.filter((e) => e.kind === 'meeting_missed' && e.scheduledId).map((e) => e.scheduledId));
  return timeline.some(
    (e) => e.at >= since && (e.kind === 'group_created' || e.kind === 'meeting_held' || (e.kind === 'meeting_scheduled' && !missed.has(e.id))),
  );
}
