import { DateTime } from 'luxon';
import { displayName, isFollowedUp, type BuyingState, type Lead } from '../lead';
import { decisionChainSize, meetingOrGroupSince } from '../meeting-attendance';
import { computeMetrics, DAY_MS, type LeadMetrics } from '../metrics';
import { decisionHistory } from '../signals/suggestion';
import type { TimelineEntry } from '../timeline';

/** A nudge not acted on or resolved within this long counts as ignored. */
export const IGNORED_AFTER_MS = 72 * 3_600_000;

/** The risk chips of a lead on the board (风险). */
export type RiskChip =
  | { chip: 'unpositioned' }
  | { chip: 'quiet'; days: number }
  | { chip: 'no_call_this_week' }
  | { chip: 'proposal_no_meeting' }
  | { chip: 'single_threaded' }
  | { chip: 'decision_passed' }
  | { chip: 'decision_slipped'; times: number }
  | { chip: 'nudges_ignored'; times: number };

/** What came of a kind of nudge: sent, acted on within 72 h, followed by a call, meeting or group within 7 days, ignored. */
export interface NudgeEffect {
  sent: number;
  acted72h: number;
  followed7d: number;
  ignored: number;
}

/** How many weeks of call coverage the team page draws (the current week last). */
export const COVERAGE_WEEKS = 8;

/**
 * The Mondays 00:00 (business time zone) that start the last `n` weeks, oldest first, the current week last. Pure.
 */
export function weekStarts(now: number, timeZone: string, n = COVERAGE_WEEKS): number[] {
  const monday = DateTime.fromMillis(now, { zone: timeZone }).startOf('week');
  return Array.from({ length: n }, (_, i) => monday.minus({ weeks: n - 1 - i }).toMillis());
}

/**
 * Per week: 1 when the lead was due a weekly call and had a talked call in that week, 0 when due and not called, -1
 * when not due (not yet a lead, or closed before the week ended). The current week counts up to now.
 */
function callWeeks(lead: Lead, timeline: readonly TimelineEntry[], now: number, weeks: readonly number[]): number[] {
  const closedAt = lead.outcome !== 'open' ? (lead.stamps.outcome ?? lead.createdAt) : Number.POSITIVE_INFINITY;
  const calls = timeline.filter((e) => e.kind === 'call' && e.outcome !== 'no_answer').map((e) => e.at);
  return weeks.map((start, i) => {
    const end = Math.min(weeks[i + 1] ?? now, now);
    if (lead.createdAt >= end || closedAt < end || (i === weeks.length - 1 && !isFollowedUp(lead))) return -1;
    return calls.some((at) => at >= start && at < end) ? 1 : 0;
  });
}

const FOLLOW_UP_KINDS = new Set(['call', 'meeting_scheduled', 'meeting_held', 'group_created']);

/** One lead as the board's aggregates see it: what the team table counts and the risk list ranks. */
export interface BoardRow {
  leadId: string;
  owner: string;
  name: string;
  state: BuyingState;
  open: boolean;
  /** Won or lost within the last 30 days. */
  closed30d?: 'won' | 'lost';
  positioned: boolean;
  /** A call (talked) within the weekly-call period. */
  calledRecently: boolean;
  quiet: boolean;
  meetings7d: number;
  meetings30d: number;
  /** Customer groups opened in the last 30 days. */
  groupsOpened30d: number;
  stakeholders: number;
  nudgesSent30d: number;
  nudgesActed30d: number;
  nudgesIgnored30d: number;
  /** Minutes from a nudge to the press that acted on it, for the nudges acted on in 30 days. */
  actMinutes: number[];
  /** What came of the nudges of each kind sent in 30 days (提醒效果). */
  nudgeKinds: Record<string, NudgeEffect>;
  /** Weekly-call coverage of the last weeks (see callWeeks): 1 called, 0 due and not called, -1 not due. */
  callWeeks: number[];
  chips: RiskChip[];
  risk: number;
}

/** A lead's board row, from the lead, its timeline and the time now. Pure. */
export function boardRow(
  lead: Lead,
  timeline: readonly TimelineEntry[],
  now: number,
  s: { weeklyCallDays: number; quietDays: Record<BuyingState, number>; today: string; weeks: readonly number[] },
  /** The lead's metrics at `now`, when the caller has them already (the sweep does). */
  metrics?: LeadMetrics,
): BoardRow {
  const m = metrics ?? computeMetrics(lead, timeline, now);
  const since = (days: number) => now - days * DAY_MS;
  const open = isFollowedUp(lead);
  const calledRecently = timeline.some((e) => e.kind === 'call' && e.outcome !== 'no_answer' && e.at > since(s.weeklyCallDays) && e.at <= now);
  const quiet = m.quietDays >= s.quietDays[lead.state];
  const sent = timeline.filter((e) => e.kind === 'nudge_sent' && e.nudgeId && e.at > since(30));
  const closedAt = new Map<string, TimelineEntry>();
  for (const e of timeline) if ((e.kind === 'nudge_acted' || e.kind === 'nudge_resolved') && e.nudgeId && !closedAt.has(e.nudgeId)) closedAt.set(e.nudgeId, e);
  const acted = sent.filter((n) => closedAt.get(n.nudgeId as string)?.kind === 'nudge_acted');
  const ignored = sent.filter((n) => !closedAt.has(n.nudgeId as string) && now - n.at > IGNORED_AFTER_MS);
  const nudgeKinds: Record<string, NudgeEffect> = {};
  for (const n of sent) {
    const kind = n.nudgeKind ?? 'other';
    const e = (nudgeKinds[kind] ??= { sent: 0, acted72h: 0, followed7d: 0, ignored: 0 });
    const closed = closedAt.get(n.nudgeId as string);
    e.sent++;
    if (closed?.kind === 'nudge_acted' && closed.at - n.at <= IGNORED_AFTER_MS) e.acted72h++;
    if (timeline.some((x) => FOLLOW_UP_KINDS.has(x.kind) && x.outcome !== 'no_answer' && x.at >= n.at && x.at - n.at <= 7 * DAY_MS)) e.followed7d++;
    if (!closed && now - n.at > IGNORED_AFTER_MS) e.ignored++;
  }
  const history = decisionHistory(timeline);
  const proposal = timeline
    .filter((e) => e.kind === 'proposal_requested')
    .sort((a, b) => a.at - b.at)
    .at(-1);
  const chips: RiskChip[] = [];
  if (open) {
    if (lead.state === 'unknown') chips.push({ chip: 'unpositioned' });
    if (quiet) chips.push({ chip: 'quiet', days: m.quietDays });
    if (!calledRecently) chips.push({ chip: 'no_call_this_week' });
    if (proposal && !meetingOrGroupSince(timeline, proposal.at)) chips.push({ chip: 'proposal_no_meeting' });
    if (decisionChainSize(lead, timeline) <= 1 && (lead.groups.length > 0 || m.meetings30d > 0)) chips.push({ chip: 'single_threaded' });
    if (lead.decisionDate && lead.decisionDate < s.today) chips.push({ chip: 'decision_passed' });
    if (history.slips > 0) chips.push({ chip: 'decision_slipped', times: history.slips });
    if (ignored.length > 0) chips.push({ chip: 'nudges_ignored', times: ignored.length });
  }
  const weight = RISK_WEIGHTS;
  const risk = chips.reduce((r, c) => r + weight[c.chip] * ('times' in c ? Math.min(c.times, 3) : 1), 0) + (quiet ? Math.min(m.quietDays, 30) / 10 : 0);
  const outcome = timeline
    .filter((e) => e.kind === 'outcome_changed')
    .sort((a, b) => a.at - b.at)
    .at(-1);
  const closed30d = lead.outcome !== 'open' && outcome && outcome.at > since(30) && outcome.at <= now ? lead.outcome : undefined;
  return {
    leadId: lead.id,
    owner: lead.owner,
    name: displayName(lead),
    state: lead.state,
    open,
    positioned: lead.state !== 'unknown',
    calledRecently,
    quiet,
    meetings7d: m.meetings7d,
    meetings30d: m.meetings30d,
    groupsOpened30d: timeline.filter((e) => e.kind === 'group_created' && e.at > since(30)).length,
    stakeholders: m.stakeholders,
    nudgesSent30d: sent.length,
    nudgesActed30d: acted.length,
    nudgesIgnored30d: ignored.length,
    actMinutes: acted.map((n) => Math.round(((closedAt.get(n.nudgeId as string)?.at ?? n.at) - n.at) / 60_000)),
    nudgeKinds,
    callWeeks: callWeeks(lead, timeline, now, s.weeks),
    chips,
    risk: Math.round(risk * 10) / 10,
    ...(closed30d ? { closed30d } : {}),
  };
}

/**
 * A lead's risk score: the weights of its chips (a counted chip — slips, ignored nudges — up to three times), plus a
 * tenth of a point per quiet day (up to 3). The board shows these weights where it shows the score.
 */
export const RISK_WEIGHTS: Record<RiskChip['chip'], number> = {
  unpositioned: 3,
  quiet: 4,
  no_call_this_week: 3,
  proposal_no_meeting: 4,
  single_threaded: 2,
  decision_passed: 5,
  decision_slipped: 2,
  nudges_ignored: 2,
};

/** One rep's line on the team page (团队), from their leads' rows. Pure. */
export interface TeamLine {
  rep: string;
  openLeads: number;
  /** Share of open leads positioned (0–1). */
  positionedShare: number;
  /** Open leads called within the weekly-call period, out of open leads (all are due a weekly call). */
  calledThisWeek: number;
  dueWeeklyCall: number;
  meetings7d: number;
  meetings30d: number;
  groupsOpened30d: number;
  avgStakeholders: number;
  quietLeads: number;
  nudgesSent30d: number;
  nudgesActed30d: number;
  nudgesIgnored30d: number;
  medianMinutesToAct: number | null;
  /** Sum of the open leads' risk: the team page sorts by it by default. */
  risk: number;
  /** Leads won and lost in the last 30 days. */
  won30d: number;
  lost30d: number;
  /** 提醒效果 per nudge kind, over the rep's leads. */
  nudgeKinds: Record<string, NudgeEffect>;
  /** Call coverage of the last weeks, oldest first (the sparkline): leads called in the week / leads due a call. */
  coverageWeeks: { called: number; due: number }[];
}

export function teamLine(rep: string, rows: readonly BoardRow[]): TeamLine {
  const open = rows.filter((r) => r.open);
  const acts = rows.flatMap((r) => r.actMinutes).sort((a, b) => a - b);
  const sum = (f: (r: BoardRow) => number, of: readonly BoardRow[] = open) => of.reduce((a, r) => a + f(r), 0);
  return {
    rep,
    openLeads: open.length,
    positionedShare: open.length ? Math.round((open.filter((r) => r.positioned).length / open.length) * 100) / 100 : 0,
    calledThisWeek: open.filter((r) => r.calledRecently).length,
    dueWeeklyCall: open.length,
    meetings7d: sum((r) => r.meetings7d, rows),
    meetings30d: sum((r) => r.meetings30d, rows),
    groupsOpened30d: sum((r) => r.groupsOpened30d, rows),
    avgStakeholders: open.length ? Math.round((sum((r) => r.stakeholders) / open.length) * 10) / 10 : 0,
    quietLeads: open.filter((r) => r.quiet).length,
    nudgesSent30d: sum((r) => r.nudgesSent30d, rows),
    nudgesActed30d: sum((r) => r.nudgesActed30d, rows),
    nudgesIgnored30d: sum((r) => r.nudgesIgnored30d, rows),
    medianMinutesToAct: acts.length ? (acts[Math.floor((acts.length - 1) / 2)] as number) : null,
    risk: Math.round(sum((r) => r.risk) * 10) / 10,
    won30d: rows.filter((r) => r.closed30d === 'won').length,
    lost30d: rows.filter((r) => r.closed30d === 'lost').length,
    nudgeKinds: addEffects(rows.map((r) => r.nudgeKinds)),
    coverageWeeks: coverageWeeks(rows),
  };
}

/** Week by week, how many of the rows were due a call and how many were called. */
function coverageWeeks(rows: readonly BoardRow[]): { called: number; due: number }[] {
  const n = Math.max(0, ...rows.map((r) => r.callWeeks?.length ?? 0));
  return Array.from({ length: n }, (_, i) => {
    let called = 0;
    let due = 0;
    for (const r of rows) {
      const v = r.callWeeks?.[i] ?? -1;
      if (v >= 0) due++;
      if (v === 1) called++;
    }
    return { called, due };
  });
}

/** Nudge effects added up, kind by kind. */
export function addEffects(all: readonly Record<string, NudgeEffect>[]): Record<string, NudgeEffect> {
  const out: Record<string, NudgeEffect> = {};
  for (const m of all)
    for (const [kind, e] of Object.entries(m ?? {})) {
      const t = (out[kind] ??= { sent: 0, acted72h: 0, followed7d: 0, ignored: 0 });
      t.sent += e.sent;
      t.acted72h += e.acted72h;
      t.followed7d += e.followed7d;
      t.ignored += e.ignored;
    }
  return out;
}
