import type { Lead } from './lead';
import { decisionChainSize } from './meeting-attendance';
import type { TimelineEntry } from './timeline';

export const DAY_MS = 86_400_000;
/** Messages in one group closer than this belong to one conversation. */
const SESSION_GAP_MS = 10 * 60_000;

export interface LeadMetrics {
  lastCustomerTouchAt?: number;
  lastRepTouchAt?: number;
  /** Whole days since the last customer-side touch (since the lead arrived, if none yet). */
  quietDays: number;
  calls7d: number;
  calls30d: number;
  meetings7d: number;
  meetings30d: number;
  /** Customer-side people in the lead's groups and held meetings (decisionChainSize). */
  stakeholders: number;
  /** Rep messages and one-sided documents since the customer last answered. */
  oneSidedStreak: number;
  /** Minutes of customer time captured in 30 days: calls, meetings, active group conversation. */
  mindshareMinutes30d: number;
  /** Touches the customer started in 30 days (messages, joining a group). */
  customerInitiated30d: number;
  mindshareThisWeek: number;
  mindshareLastWeek: number;
  /** Week-over-week change in captured minutes (this week minus last week). */
  mindshareTrend: number;
}

/** How far apart a call WeCom's archive saw and the rep's own note of it may be, and still be one call. */
const SAME_CALL_MS = 2 * 3_600_000;

/**
 * The timeline with each call counted once: a WeCom call the archive logged (source `archive`) and the call the rep
 * logged for it by command or card — the rep's nearest call within two hours — are one call, the rep's entry with
 * the archive's minutes when the rep gave none. Whichever came in first, the figures are the same. Pure.
 */
export function sameCallsOnce(timeline: readonly TimelineEntry[]): TimelineEntry[] {
  const archived = timeline.filter((e) => e.kind === 'call' && e.source === 'archive');
  if (archived.length === 0) return [...timeline];
  const typed = timeline.filter((e) => e.kind === 'call' && e.source !== 'archive');
  const merged = new Map<string, TimelineEntry>();
  const dropped = new Set<string>();
  for (const a of archived) {
    const near = typed
      .filter((t) => !merged.has(t.id) && Math.abs(t.at - a.at) <= SAME_CALL_MS && (!t.actor || !a.actor || t.actor === a.actor))
      .sort((x, y) => Math.abs(x.at - a.at) - Math.abs(y.at - a.at))[0];
    if (!near) continue;
    merged.set(near.id, { ...near, minutes: near.minutes ?? a.minutes, outcome: near.outcome ?? a.outcome });
    dropped.add(a.id);
  }
  return timeline.filter((e) => !dropped.has(e.id)).map((e) => merged.get(e.id) ?? e);
}

/** A touch from the customer's side: they wrote, talked, showed up or joined. */
export function isCustomerTouch(e: TimelineEntry): boolean {
  switch (e.kind) {
    case 'customer_message':
    case 'meeting_held':
      return true;
    case 'call':
      return e.outcome !== 'no_answer';
    case 'member_joined':
      return e.customerInitiated === true;
    default:
      return false;
  }
}

export function isRepTouch(e: TimelineEntry): boolean {
  return ['rep_message', 'call', 'meeting_scheduled', 'meeting_held', 'document_sent', 'group_created'].includes(e.kind);
}

/** Minutes of active group conversation: messages in one group within 10 minutes form a session with a customer in it. */
export function groupConversationMinutes(entries: TimelineEntry[], from: number, to: number): number {
  const byChat = new Map<string, TimelineEntry[]>();
  for (const e of entries) {
    if (!e.chatId || (e.kind !== 'customer_message' && e.kind !== 'rep_message') || e.at < from || e.at >= to) continue;
    byChat.set(e.chatId, [...(byChat.get(e.chatId) ?? []), e]);
  }
  let minutes = 0;
  for (const msgs of byChat.values()) {
    msgs.sort((a, b) => a.at - b.at);
    let start = msgs[0]?.at ?? 0;
    let last = start;
    let hasCustomer = false;
    const close = () => {
      if (hasCustomer) minutes += Math.max(1, Math.round((last - start) / 60_000));
    };
    for (const m of msgs) {
      if (m.at - last > SESSION_GAP_MS) {
        close();
        start = m.at;
        hasCustomer = false;
      }
      last = m.at;
      if (m.kind === 'customer_message') hasCustomer = true;
    }
    close();
  }
  return minutes;
}

/** Meetings held in [from, to): a booked meeting counts once it is known to have happened (attendance or the rep). */
function meetingKeys(entries: TimelineEntry[], from: number, to: number): Set<string> {
  const keys = new Set<string>();
  for (const e of entries) {
    if (e.kind !== 'meeting_held' || e.at < from || e.at >= to) continue;
    keys.add(e.link ?? e.note ?? e.id);
  }
  return keys;
}

function capturedMinutes(entries: TimelineEntry[], from: number, to: number): number {
  let minutes = 0;
  const meetings = new Map<string, number>();
  for (const e of entries) {
    if (e.at < from || e.at >= to) continue;
    if (e.kind === 'call' && e.outcome !== 'no_answer') minutes += e.minutes ?? 0;
    if (e.kind === 'meeting_held') meetings.set(e.link ?? e.note ?? e.id, e.minutes ?? 0);
  }
  for (const m of meetings.values()) minutes += m;
  return minutes + groupConversationMinutes(entries, from, to);
}

/** Every metric of a lead, from its timeline and the time now. Pure. */
export function computeMetrics(lead: Lead, timeline: readonly TimelineEntry[], now: number): LeadMetrics {
  const entries = sameCallsOnce(timeline).filter((e) => e.at <= now);
  let lastCustomer: number | undefined;
  let lastRep: number | undefined;
  for (const e of entries) {
    if (isCustomerTouch(e) && (lastCustomer === undefined || e.at > lastCustomer)) lastCustomer = e.at;
    if (isRepTouch(e) && (lastRep === undefined || e.at > lastRep)) lastRep = e.at;
  }
  const since = (days: number) => now - days * DAY_MS;
  const count = (kind: TimelineEntry['kind'], days: number) => entries.filter((e) => e.kind === kind && e.at > since(days)).length;
  const streak = entries.filter((e) => (e.kind === 'rep_message' || e.kind === 'document_sent') && (lastCustomer === undefined || e.at > lastCustomer)).length;
  const thisWeek = capturedMinutes(entries, since(7), now + 1);
  const lastWeek = capturedMinutes(entries, since(14), since(7));
  return {
    lastCustomerTouchAt: lastCustomer,
    lastRepTouchAt: lastRep,
    quietDays: Math.max(0, Math.floor((now - (lastCustomer ?? lead.createdAt)) / DAY_MS)),
    calls7d: count('call', 7),
    calls30d: count('call', 30),
    meetings7d: meetingKeys(entries, since(7), now + 1).size,
    meetings30d: meetingKeys(entries, since(30), now + 1).size,
    stakeholders: decisionChainSize(lead, entries),
    oneSidedStreak: streak,
    mindshareMinutes30d: capturedMinutes(entries, since(30), now + 1),
    customerInitiated30d: entries.filter((e) => e.at > since(30) && (e.kind === 'customer_message' || (e.kind === 'member_joined' && e.customerInitiated)))
      .length,
    mindshareThisWeek: thisWeek,
    mindshareLastWeek: lastWeek,
    mindshareTrend: thisWeek - lastWeek,
  };
}
