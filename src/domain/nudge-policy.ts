import { DateTime } from 'luxon';
import { shownDate } from './shown-dates';
import { displayName, isFollowedUp, STATE_LABELS, type BuyingState, type Lead } from './lead';
import { DAY_MS, type LeadMetrics } from './metrics';
import { meetingOrGroupSince } from './meeting-attendance';
import { suggestionNudges } from './signals/suggestion-nudges';
import type { TimelineEntry } from './timeline';

/** The pushes the method asks for (docs/method.md), most urgent first. */
export const NUDGE_KINDS = [
  'decision_due',
  'confirm_state',
  'proposal_to_meeting',
  'position',
  'confirm_decision',
  'quiet',
  'weekly_call',
  'open_group',
  'widen_chain',
] as const;
export type NudgeKind = (typeof NUDGE_KINDS)[number];

export const POSITION_QUESTION = '您是出来比价的，还是不确定买不买、先出来看看方案，还是其实已经接触过几个供应商了，来看看我们的方案有什么特色？';
export const WEEKLY_QUESTION = '现在方案差不多定了吧？如果没定，啥时候定？';

export interface NudgeSettings {
  timeZone: string;
  /** Business hours, "HH:mm" each, and ISO weekdays (1 = Monday). */
  hours: { start: string; end: string };
  days: number[];
  /** Hours after a lead arrives before asking to position it. */
  positionAfterHours: number;
  /** Days without a logged call before the weekly call nudge. */
  weeklyCallDays: number;
  /** Days without a customer-side touch, per buying state, before the quiet nudge. */
  quietDays: Record<BuyingState, number>;
  /** Hours after "send me a proposal" with no meeting or group before the nudge. */
  proposalHours: number;
  /** Days with a single customer-side person in the group or meetings before asking to widen the chain. */
  widenChainDays: number;
  /** A nudge of one kind is not repeated for the same lead within this many days. */
  repeatDays: Record<NudgeKind, number>;
  /** How often an idle lead is looked at again at most (hours). */
  recheckHours: number;
  /** After a nudge the rep has not acted on (no command or card press since), no other nudge about the same lead
   * for this many hours, whatever the kind: no pile-up on one customer. */
  leadGapHours: number;
}

export interface Nudge {
  kind: NudgeKind;
  leadId: string;
  owner: string;
  title: string;
  text: string;
  /** For the suggestion cards: the state or decision date the customer's words point to. */
  suggested?: { state?: BuyingState; date?: string };
}

export interface Evaluation {
  /** At most one nudge per lead per evaluation: the most urgent that applies. */
  nudge?: Nudge;
  /** Kinds that apply now but were sent within their repeat period (for the log and the digest). */
  suppressed: NudgeKind[];
  /** When this lead should be looked at again (ms). */
  nextCheckAt: number;
}

const lastOf = (timeline: readonly TimelineEntry[], pred: (e: TimelineEntry) => boolean): TimelineEntry | undefined => {
  let best: TimelineEntry | undefined;
  for (const e of timeline) if (pred(e) && (!best || e.at > best.at)) best = e;
  return best;
};

const days = (ms: number) => Math.floor(ms / DAY_MS);

function hm(s: string): { hour: number; minute: number } {
  const [h, m] = s.split(':').map(Number);
  return { hour: h ?? 0, minute: m ?? 0 };
}

/** Inside business hours and days, in the business time zone? */
export function inBusinessHours(now: number, s: Pick<NudgeSettings, 'timeZone' | 'hours' | 'days'>): boolean {
  const t = DateTime.fromMillis(now, { zone: s.timeZone });
  if (!s.days.includes(t.weekday)) return false;
  const start = t.set({ ...hm(s.hours.start), second: 0, millisecond: 0 });
  const end = t.set({ ...hm(s.hours.end), second: 0, millisecond: 0 });
  return t >= start && t < end;
}

/** The next moment business hours are open (now, if they are). */
export function nextBusinessOpening(now: number, s: Pick<NudgeSettings, 'timeZone' | 'hours' | 'days'>): number {
  if (inBusinessHours(now, s)) return now;
  let t = DateTime.fromMillis(now, { zone: s.timeZone });
  for (let i = 0; i < 8; i++) {
    const open = t.set({ ...hm(s.hours.start), second: 0, millisecond: 0 });
    if (s.days.includes(open.weekday) && open.toMillis() > now) return open.toMillis();
    t = t.plus({ days: 1 }).startOf('day');
  }
  return now + DAY_MS;
}

/** The business clock at one instant: computed once per sweep, shared by every lead in it. */
export interface BusinessCalendar {
  now: number;
  open: boolean;
  nextOpening: number;
  /** yyyy-mm-dd in the business time zone. */
  today: string;
}

export function businessCalendar(now: number, s: Pick<NudgeSettings, 'timeZone' | 'hours' | 'days'>): BusinessCalendar {
  return {
    now,
    open: inBusinessHours(now, s),
    nextOpening: nextBusinessOpening(now, s),
    today: DateTime.fromMillis(now, { zone: s.timeZone }).toISODate() ?? '',
  };
}

/** What the method says to do now about this lead. Pure: facts and the time in, a decision out. */
export function evaluateNudges(
  lead: Lead,
  metrics: LeadMetrics,
  timeline: readonly TimelineEntry[],
  s: NudgeSettings,
  now: number,
  calendar: BusinessCalendar = businessCalendar(now, s),
): Evaluation {
  const recheck = now + s.recheckHours * 3_600_000;
  if (!isFollowedUp(lead)) return { suppressed: [], nextCheckAt: Number.POSITIVE_INFINITY };
  if (lead.snoozedUntil !== undefined && lead.snoozedUntil > now) return { suppressed: [], nextCheckAt: lead.snoozedUntil };
  if (!calendar.open) return { suppressed: [], nextCheckAt: calendar.nextOpening };
  const lastNudge = lastOf(timeline, (e) => e.kind === 'nudge_sent');
  // The rep acted since the last nudge: a command or a card press, or — read from the chat archive — a WeCom call, a
  // meeting or a message of the rep's own.
  const actedSince =
    lastNudge &&
    timeline.some(
      (e) =>
        e.at >= lastNudge.at &&
        e.kind !== 'nudge_sent' &&
        (e.source === 'command' ||
          e.source === 'card' ||
          (e.source === 'archive' && (e.kind === 'call' || e.kind === 'meeting_held' || (e.kind === 'rep_message' && !e.recalls)))),
    );
  if (lastNudge && !actedSince && now - lastNudge.at < s.leadGapHours * 3_600_000) {
    return { suppressed: [], nextCheckAt: lastNudge.at + s.leadGapHours * 3_600_000 };
  }

  const name = displayName(lead);
  const due: { kind: NudgeKind; title: string; text: string; suggested?: Nudge['suggested'] }[] = [];
  const wakeups: number[] = [recheck];

  // decision_due: the decision date has passed and the lead is still open.
  if (lead.decisionDate && lead.decisionDate < calendar.today) {
    due.push({
      kind: 'decision_due',
      title: `${name}：说好的决策时间到了`,
      text: `${name}说 ${shownDate(lead.decisionDate)} 前定方案，现在还没有结果。今天亲自打个电话问：「${WEEKLY_QUESTION.replace('现在方案差不多定了吧？', '方案定下来了吗？')}」`,
    });
  }

  // proposal_to_meeting: the customer asked for a proposal and no meeting or group followed. Asked in the customer's
  // own words (the reader found it in their message): at once, quoting them; logged by the rep: after proposalHours.
  const proposal = lastOf(timeline, (e) => e.kind === 'proposal_requested');
  if (proposal) {
    const followed = meetingOrGroupSince(timeline, proposal.at);
    const fromCustomer = proposal.customerInitiated === true;
    const ripe = fromCustomer ? proposal.at : proposal.at + s.proposalHours * 3_600_000;
    if (!followed && now >= ripe) {
      due.push({
        kind: 'proposal_to_meeting',
        title: `${name}要方案：别一个人写`,
        text: `${fromCustomer && proposal.note ? `${name}在消息里要了方案：『${[...proposal.note].slice(0, 40).join('')}』\n` : `${name}要了方案。`}不要单方面去写——约个会一起过需求，或者拉个工作群，把客户和做决定的人都拉进来。点「约会议」一键创建会议，点「建群」看怎么建群——建好后我把入群二维码发给你。`,
      });
    } else if (!followed) wakeups.push(ripe);
  }

  // confirm_state / confirm_decision: the customer's own words point to a buying state or a decision date.
  const suggestions = suggestionNudges(lead, timeline, calendar.today);
  due.push(...suggestions);

  // position: still unknown some hours after arriving.
  const positionAt = lead.createdAt + s.positionAfterHours * 3_600_000;
  // A suggestion card takes the place of the position nudge: the customer already said where they stand.
  if (lead.state === 'unknown' && !suggestions.some((x) => x.kind === 'confirm_state')) {
    if (now >= positionAt) {
      due.push({
        kind: 'position',
        title: `${name}：先定位`,
        text: `${name}还没定位。第一次回电就直接问，不用绕：\n「${POSITION_QUESTION}」\n问完回复「定位 ${name} 比价 / 观望 / 陪跑」。`,
      });
    } else wakeups.push(positionAt);
  }

  // weekly_call: no call logged in the last N days (computed first: a quiet nudge carries its question when both apply).
  const lastCall = lastOf(timeline, (e) => e.kind === 'call');
  const callAnchor = lastCall?.at ?? lead.createdAt;
  const callDue = now - callAnchor >= s.weeklyCallDays * DAY_MS;
  const directQuestion = `「${name.endsWith('总') ? `${name}，` : ''}我上次不是给您汇报过吗？${WEEKLY_QUESTION}」`;

  // quiet: no customer-side touch for N days (N by buying state).
  const quietLimit = s.quietDays[lead.state];
  const lastTouch = metrics.lastCustomerTouchAt ?? lead.createdAt;
  if (now - lastTouch >= quietLimit * DAY_MS) {
    const last = lastOf(timeline, (e) => e.at === lastTouch);
    const what = last ? describe(last) : '加上企业微信';
    due.push({
      kind: 'quiet',
      title: `${name}已经 ${days(now - lastTouch)} 天没动静`,
      text: callDue
        ? `${name}（${STATE_LABELS[lead.state]}）上次有动静是 ${days(now - lastTouch)} 天前：${what}，这周也还没通过电话。现在就亲自打一个，直接问：\n${directQuestion}\n问完约个会把客户拉进来——别再等，也别只发资料。`
        : `${name}（${STATE_LABELS[lead.state]}）上次有动静是 ${days(now - lastTouch)} 天前：${what}。现在就亲自打个电话，或者约个会把客户拉进来——别再等，也别只发资料。`,
    });
  } else wakeups.push(lastTouch + quietLimit * DAY_MS);

  if (callDue) {
    due.push({
      kind: 'weekly_call',
      title: `本周给${name}打个电话`,
      text: `这周还没和${name}通过电话。亲自打一个，直接问：\n${directQuestion}`,
    });
  } else wakeups.push(callAnchor + s.weeklyCallDays * DAY_MS);

  // open_group: a real conversation happened and there is no customer group.
  const real = timeline.some((e) => (e.kind === 'call' && (e.minutes ?? 0) >= 5) || e.kind === 'meeting_held') || metrics.customerInitiated30d >= 3;
  if (real && lead.groups.length === 0) {
    due.push({
      kind: 'open_group',
      title: `给${name}拉个工作群`,
      text: `和${name}已经聊起来了，但还没有工作群。建个群，把你的同事和${name}那边的人都拉进来，后面的事在群里推进。点「建群」看步骤，群建好后我把入群二维码发给你。`,
    });
  }

  // widen_chain: a group or meetings with a single customer-side person for some days.
  const firstShared = lastOf(timeline, (e) => e.kind === 'group_created' || e.kind === 'meeting_held');
  if (firstShared && metrics.stakeholders <= 1) {
    const ripe = firstShared.at + s.widenChainDays * DAY_MS;
    if (now >= ripe) {
      due.push({
        kind: 'widen_chain',
        title: `${name}那边只有一个人`,
        text: `群里和会上，${name}那边一直只有${name}一个人。请${name}把需要听方案、参与拍板的人也拉进来——决策链在会上和群里才看得见。点「建群」拿入群二维码发给${name}。`,
      });
    } else wakeups.push(ripe);
  }

  const suppressed: NudgeKind[] = [];
  for (const kind of NUDGE_KINDS) {
    const candidate = due.find((d) => d.kind === kind);
    if (!candidate) continue;
    const lastSent = lastOf(timeline, (e) => e.kind === 'nudge_sent' && e.nudgeKind === kind);
    if (lastSent && now - lastSent.at < s.repeatDays[kind] * DAY_MS) {
      suppressed.push(kind);
      wakeups.push(lastSent.at + s.repeatDays[kind] * DAY_MS);
      continue;
    }
    return { nudge: { ...candidate, leadId: lead.id, owner: lead.owner }, suppressed, nextCheckAt: Math.min(...wakeups) };
  }
  return { suppressed, nextCheckAt: Math.min(...wakeups.filter((w) => w > now), recheck) };
}

function describe(e: TimelineEntry): string {
  switch (e.kind) {
    case 'customer_message':
      return '客户发来消息';
    case 'call':
      return `通话${e.minutes ? ` ${e.minutes} 分钟` : ''}`;
    case 'meeting_held':
      return '开了会';
    case 'member_joined':
      return '有人进了群';
    default:
      return '加上企业微信';
  }
}
