import { DateTime } from 'luxon';
import { displayName, isManual, type BuyingState, type Lead } from '../domain/lead';
import { stateOfSignals } from '../domain/signals/reader';
import { computeMetrics } from '../domain/metrics';
import { nextStepFor, type NextStep } from '../domain/next-step';
import { attendanceDueAt, meetingSettlement } from '../domain/meeting-attendance';
import { decisionHistory } from '../domain/signals/suggestion';
import type { CustomerSignals } from './customer-signals';
import type { EntrySource, TimelineEntry } from '../domain/timeline';
import type { Logger } from '../log';
import { meetingTitle } from './copy';
import type { Ledger } from './ledger';
import { bookMeetingOnce } from './meeting-bookings';
import type { BookingStore, GroupInviter, JoinCode, LedgerRepository, ManagerLookup, MeetingBooker, MessageOutbox } from './ports';
import { reminderCard } from './nudge-card';
import { COPY } from './copy';

/** Who did what to which lead, when, and under which timeline entry id (doing it twice records it once). */
export interface ActionInput {
  lead: Lead;
  actor: string;
  /** When it happened (ms). */
  at: number;
  /** The entry's id, from the message or card event: the idempotency key of the action. */
  entryId: string;
  source: EntrySource;
}

/** What an action came to: every entry point renders it (a reply, a card update, later JSON for the board). */
export type RepActionResult =
  | { action: 'state'; lead: Lead; to: BuyingState }
  | {
      action: 'call';
      lead: Lead;
      outcome: 'talked' | 'no_answer';
      minutes?: number;
      decisionDate?: string;
      calls7d: number;
      mindshareMinutes30d: number;
      /** The method's one next step for this lead after the call. */
      next: NextStep;
      /** The buying state the call note's words read as, when it is not the lead's (「在比较几家」 → 陪跑). */
      suggests?: BuyingState;
    }
  /** `thing`: what the customer asked for, in the rep's word (方案, 报价单, 资料…). */
  | { action: 'proposal'; lead: Lead; thing: string }
  | { action: 'meeting_held'; lead: Lead; date: string }
  /** `clash`: another customer of the rep's whose booked meeting overlaps this one (they are told). */
  | { action: 'meeting_booked'; lead: Lead; startsAt: number; link?: string; clash?: { name: string; startsAt: number } }
  /** A booked meeting settled: held (by WeCom's attendance or the rep's word), not held, or moved to a new booking. */
  | {
      action: 'meeting_settled';
      lead: Lead;
      how: 'held' | 'not_held' | 'moved' | 'cancelled';
      minutes?: number;
      customerAttendees?: number;
      moved?: { startsAt: number; link?: string };
      /** Already settled before (another press, or attendance read first): nothing new was recorded. */
      already?: boolean;
      next: NextStep;
    }
  | { action: 'group'; lead: Lead; joinCode?: JoinCode; groupName?: string }
  | { action: 'snoozed'; lead: Lead; days: number; until: number }
  | { action: 'closed'; lead: Lead; outcome: 'won' | 'lost'; reason?: string }
  | { action: 'reopened'; lead: Lead }
  /** The rep answered a suggestion card: the decision date recorded (with how often it slipped), or the suggestion set aside. */
  | { action: 'decision_date'; lead: Lead; date: string; slips: number }
  | { action: 'suggestion_dismissed'; lead: Lead; about: 'state' | 'decision' }
  /** On the board: the owner was reminded by a manager (提醒他), or a manager took the next call (我来跟). */
  | { action: 'reminded'; lead: Lead; by: string; ownerName: string; already: boolean }
  | { action: 'taken'; lead: Lead; by: string; ownerName: string; already: boolean }
  /** A call or meeting on a won or lost lead: not logged; the rep is asked whether to reopen it. */
  | { action: 'lead_closed'; lead: Lead; attempted: 'call' | 'meeting' };

export interface RepActionDeps {
  store: LedgerRepository;
  ledger: Ledger;
  meetings: MeetingBooker;
  bookings: BookingStore;
  invites: GroupInviter;
  timeZone: string;
  log: Logger;
  /** Reads the customer's words in a call's note (src/app/customer-signals.ts); without it, notes are only kept. */
  signals?: CustomerSignals;
  /** For actions whose effect is a message to someone else (a manager's reminder to the owner): the send queue. */
  outbox?: MessageOutbox;
  /** Members' names, for what one member tells another. */
  names?: Pick<ManagerLookup, 'nameOf'>;
}

/**
 * The one rep-action core: what a rep (or later a manager, the board or the sidebar) can do to a lead, each written
 * once. Commands and card presses are thin adapters onto it; every action is idempotent by its input's entry id.
 */
export class RepActions {
  constructor(private readonly d: RepActionDeps) {}

  /** 定位: the buying state, last-writer-wins by when it was said. */
  async setState(i: ActionInput, to: BuyingState): Promise<RepActionResult> {
    const from = i.lead.state;
    await this.d.store.updateIfNewer(i.lead.id, 'state', i.at, (l) => (l.state = to));
    await this.d.store.addEntry(i.lead.id, { id: i.entryId, at: i.at, kind: 'state_changed', source: i.source, actor: i.actor, from, to });
    return { action: 'state', lead: i.lead, to };
  }

  /** 电话: a call, with its minutes, outcome, note and the decision date the customer gave, when known. */
  async logCall(
    i: ActionInput,
    call: { minutes?: number; outcome?: 'talked' | 'no_answer'; note?: string; decisionDate?: string } = {},
  ): Promise<RepActionResult> {
    if (i.lead.outcome !== 'open') return { action: 'lead_closed', lead: i.lead, attempted: 'call' };
    const entry: TimelineEntry = {
      id: i.entryId,
      at: i.at,
      kind: 'call',
      source: i.source,
      actor: i.actor,
      minutes: call.minutes,
      outcome: call.outcome,
      note: call.note,
    };
    await this.d.store.addEntry(i.lead.id, entry);
    const date = call.decisionDate;
    if (date) await this.setDecisionDate(i, date);
    // What the customer said, as the rep noted it (「他说在比较几家」): signals and suggestions, like their messages.
    const signals = call.note && this.d.signals ? await this.d.signals.read(i.lead.id, entry, call.note) : [];
    const read = stateOfSignals(signals);
    const suggests = read && read !== i.lead.state ? read : undefined;
    // Someone else called the owner's customer (a manager who took the call, 我来跟): the owner hears of it.
    if (i.actor !== i.lead.owner && this.d.outbox) {
      const by = await this.nameOf(i.actor);
      await this.d.outbox.enqueue({
        key: `call-told:${i.entryId}`,
        touser: i.lead.owner,
        body: { msgtype: 'text', text: { content: COPY.callByOther(by, i.lead, call.minutes, call.outcome) } },
      });
    }
    const result = await this.callResult(i, call.outcome ?? 'talked', call.minutes, date);
    return result.action === 'call' && suggests ? { ...result, suggests } : result;
  }

  /** The decision date, last-writer-wins, with its entry (the history of dates and slips is read from these). */
  private async setDecisionDate(i: ActionInput, date: string): Promise<void> {
    await this.d.store.updateIfNewer(i.lead.id, 'decisionDate', i.at, (l) => (l.decisionDate = date));
    await this.d.store.addEntry(i.lead.id, { id: `${i.entryId}:decision`, at: i.at, kind: 'decision_date_set', source: i.source, actor: i.actor, to: date });
  }

  /**
   * The rep's answer to a state suggestion card: the state they picked (the suggested one or another) is set like
   * 定位; 都不是 sets it aside until the customer says something new. Either way the answer is logged.
   */
  async answerStateSuggestion(i: ActionInput, to: BuyingState | 'none'): Promise<RepActionResult> {
    const result = to === 'none' ? undefined : await this.setState(i, to);
    await this.logAnswer(i, 'state', to);
    return result ?? { action: 'suggestion_dismissed', lead: i.lead, about: 'state' };
  }

  /** A suggestion card's answer on the timeline (the suggestion is derived from it: answered ones are not asked again). */
  private async logAnswer(i: ActionInput, about: 'state' | 'decision', to: string): Promise<void> {
    await this.d.store.addEntry(i.lead.id, {
      id: `${i.entryId}:answer`,
      at: i.at,
      kind: 'suggestion_answered',
      source: i.source,
      actor: i.actor,
      note: about,
      to,
    });
  }

  /** The rep's answer to a decision-date card: the customer's date recorded, or set aside (`date` undefined). */
  async answerDecisionSuggestion(i: ActionInput, date: string | undefined): Promise<RepActionResult> {
    if (date) await this.setDecisionDate(i, date);
    await this.logAnswer(i, 'decision', date ?? 'none');
    if (!date) return { action: 'suggestion_dismissed', lead: i.lead, about: 'decision' };
    return { action: 'decision_date', lead: i.lead, date, slips: decisionHistory(await this.d.store.getTimeline(i.lead.id)).slips };
  }

  /** How long the call logged as `i.entryId` took, or that nobody answered (the 已打电话 card's follow-up). */
  async completeCall(i: ActionInput, detail: { minutes?: number; outcome: 'talked' | 'no_answer' }): Promise<RepActionResult> {
    await this.d.store.amendEntry(i.lead.id, i.entryId, { minutes: detail.outcome === 'no_answer' ? 0 : detail.minutes, outcome: detail.outcome });
    return this.callResult(i, detail.outcome, detail.minutes);
  }

  /** A call's answer: the lead's figures after it, and the method's next step. */
  private async callResult(i: ActionInput, outcome: 'talked' | 'no_answer', minutes?: number, decisionDate?: string): Promise<RepActionResult> {
    const [lead, timeline] = await Promise.all([this.d.store.getLead(i.lead.id), this.d.store.getTimeline(i.lead.id)]);
    const m = computeMetrics(lead ?? i.lead, timeline, i.at);
    return {
      action: 'call',
      lead: i.lead,
      outcome,
      minutes,
      decisionDate,
      calls7d: m.calls7d,
      mindshareMinutes30d: m.mindshareMinutes30d,
      next: nextStepFor(lead ?? i.lead, timeline),
    };
  }

  /** 要方案: the customer asked for a document — the nudge that follows says meet or group instead of writing alone. */
  async logProposalRequest(i: ActionInput, note?: string): Promise<RepActionResult> {
    await this.d.store.addEntry(i.lead.id, { id: i.entryId, at: i.at, kind: 'proposal_requested', source: i.source, actor: i.actor, note });
    const thing = /建议书|报价单|报价|资料|材料|介绍|案例|手册|白皮书|PPT|ppt|方案/.exec(note ?? '')?.[0] ?? '方案';
    return { action: 'proposal', lead: i.lead, thing };
  }

  /**
   * 会议: a time in the future books a WeCom meeting (once per entry id, also across retries); a time that has passed
   * logs a meeting held.
   */
  async bookMeeting(i: ActionInput, startsAt: number, note?: string): Promise<RepActionResult> {
    if (i.lead.outcome !== 'open') return { action: 'lead_closed', lead: i.lead, attempted: 'meeting' };
    if (startsAt <= i.at) {
      await this.d.store.addEntry(i.lead.id, { id: i.entryId, at: startsAt, kind: 'meeting_held', source: i.source, actor: i.actor, minutes: 60, note });
      return { action: 'meeting_held', lead: i.lead, date: DateTime.fromMillis(startsAt, { zone: this.d.timeZone }).toISODate() as string };
    }
    const minutes = 60;
    const clash = await this.clashingMeeting(i, startsAt, minutes);
    const booked = await bookMeetingOnce(this.d, i.entryId, { host: i.actor, title: meetingTitle(i.lead), startsAt, minutes });
    await this.d.store.addEntry(i.lead.id, {
      id: i.entryId,
      at: i.at,
      kind: 'meeting_scheduled',
      source: i.source,
      actor: i.actor,
      startsAt,
      minutes,
      link: booked.link,
      meetingId: booked.meetingId,
      note,
    });
    // After it ends, WeCom's attendance says whether it happened (src/app/meeting-attendance.ts).
    await this.d.bookings.watch({ leadId: i.lead.id, entryId: i.entryId, meetingId: booked.meetingId }, attendanceDueAt(startsAt, minutes));
    return { action: 'meeting_booked', lead: i.lead, startsAt, link: booked.link, ...(clash ? { clash } : {}) };
  }

  /** Another of the rep's customers with a booked meeting (not settled) that overlaps [startsAt, startsAt + minutes). */
  private async clashingMeeting(i: ActionInput, startsAt: number, minutes: number): Promise<{ name: string; startsAt: number } | undefined> {
    const others = (await this.d.store.leadsOf(i.actor)).filter((l) => l.id !== i.lead.id && l.outcome === 'open' && !l.mergedInto);
    if (others.length === 0) return undefined;
    const end = startsAt + minutes * 60_000;
    for (const { lead, timeline } of await this.d.store.loadMany(others.map((l) => l.id))) {
      if (!lead) continue;
      const settled = new Set(timeline.filter((e) => e.kind === 'meeting_held' || e.kind === 'meeting_missed').map((e) => e.meetingId ?? e.link));
      const hit = timeline.find(
        (e) =>
          e.kind === 'meeting_scheduled' &&
          e.startsAt !== undefined &&
          !settled.has(e.meetingId ?? e.link) &&
          e.startsAt < end &&
          e.startsAt + (e.minutes ?? 60) * 60_000 > startsAt,
      );
      if (hit) return { name: displayName(lead), startsAt: hit.startsAt as number };
    }
    return undefined;
  }

  /**
   * What a booked meeting came to: held (with the customer-side attendees and minutes WeCom counted, or the booked
   * length on the rep's word), not held, cancelled, or moved (booked again at `movedTo`). Settled once: the second
   * settlement of the same booking, whoever makes it, records nothing and says so.
   */
  async settleMeeting(
    i: ActionInput,
    booked: TimelineEntry,
    s:
      | { how: 'held'; at?: number; minutes?: number; customerAttendees?: number; staff?: string[] }
      | { how: 'not_held' | 'cancelled' }
      | { how: 'moved'; movedTo: number },
  ): Promise<RepActionResult> {
    const timeline = await this.d.store.getTimeline(i.lead.id);
    const settled = meetingSettlement(timeline, booked.id);
    if (settled) {
      return {
        action: 'meeting_settled',
        lead: i.lead,
        how: settled.kind === 'meeting_held' ? 'held' : ((settled.note as 'not_held' | 'moved' | 'cancelled' | undefined) ?? 'not_held'),
        minutes: settled.minutes,
        customerAttendees: settled.customerAttendees,
        already: true,
        next: nextStepFor(i.lead, timeline),
      };
    }
    const common = { source: i.source, actor: i.actor, scheduledId: booked.id, meetingId: booked.meetingId, link: booked.link };
    let moved: { startsAt: number; link?: string } | undefined;
    if (s.how === 'held') {
      const minutes = s.minutes ?? booked.minutes ?? 60;
      await this.d.store.addEntry(i.lead.id, {
        id: `${booked.id}:settled`,
        at: s.at ?? booked.startsAt ?? i.at,
        kind: 'meeting_held',
        ...common,
        minutes,
        customerAttendees: s.customerAttendees,
        members: s.staff,
      });
    } else {
      await this.d.store.addEntry(i.lead.id, { id: `${booked.id}:settled`, at: i.at, kind: 'meeting_missed', ...common, note: s.how });
      if (s.how === 'moved') {
        const again = await this.bookMeeting({ ...i, entryId: `${i.entryId}:moved` }, s.movedTo);
        if (again.action === 'meeting_booked') moved = { startsAt: again.startsAt, link: again.link };
      }
    }
    await this.d.bookings.unwatch({ leadId: i.lead.id, entryId: booked.id, meetingId: booked.meetingId ?? '' });
    const [lead, after] = await Promise.all([this.d.store.getLead(i.lead.id), this.d.store.getTimeline(i.lead.id)]);
    const held = s.how === 'held' ? after.find((e) => e.id === `${booked.id}:settled`) : undefined;
    return {
      action: 'meeting_settled',
      lead: i.lead,
      how: s.how,
      minutes: held?.minutes,
      customerAttendees: held?.customerAttendees,
      moved,
      next: nextStepFor(lead ?? i.lead, after),
    };
  }

  /** 建群: the lead's group's QR join code when it has a group, to widen the chain; otherwise the steps to open one. */
  async openGroup(lead: Lead): Promise<RepActionResult> {
    const chatId = lead.groups[0];
    const joinCode = chatId ? await this.d.invites.joinCodeFor(chatId) : undefined;
    const groupName = chatId && joinCode ? (await this.d.store.getGroup(chatId))?.name : undefined;
    return { action: 'group', lead, ...(joinCode ? { joinCode, groupName } : {}) };
  }

  /** 暂停: no nudges for `days`. */
  async snooze(i: ActionInput, days: number): Promise<RepActionResult> {
    const until = i.at + days * 86_400_000;
    await this.d.store.updateIfNewer(i.lead.id, 'snooze', i.at, (l) => (l.snoozedUntil = until));
    await this.d.store.addEntry(i.lead.id, { id: i.entryId, at: i.at, kind: 'snoozed', source: i.source, actor: i.actor, note: `${days}天` });
    return { action: 'snoozed', lead: i.lead, days, until };
  }

  /** 赢单 / 输单: closes the lead with a reason. */
  async close(i: ActionInput, outcome: 'won' | 'lost', reason?: string): Promise<RepActionResult> {
    await this.setOutcome(i, outcome, reason);
    return { action: 'closed', lead: i.lead, outcome, reason };
  }

  /** 重开: a won or lost lead back to open, to follow up again. */
  async reopen(i: ActionInput): Promise<RepActionResult> {
    await this.setOutcome(i, 'open');
    return { action: 'reopened', lead: i.lead };
  }

  /** The outcome, last-writer-wins, and its entry (none when reopening a lead that was open already). */
  private async setOutcome(i: ActionInput, to: Lead['outcome'], reason?: string): Promise<void> {
    const { before } = await this.d.store.updateIfNewer(i.lead.id, 'outcome', i.at, (l) => ((l.outcome = to), (l.outcomeReason = reason)));
    if (to === 'open' && before?.outcome === 'open') return;
    await this.d.store.addEntry(i.lead.id, {
      id: i.entryId,
      at: i.at,
      kind: 'outcome_changed',
      source: i.source,
      actor: i.actor,
      from: before?.outcome,
      to,
      note: reason,
    });
  }

  private async nameOf(userId: string): Promise<string> {
    return this.d.names ? this.d.names.nameOf(userId) : userId;
  }

  /**
   * 提醒他 (the board): a manager asks the owner to follow this lead up now — a card with the method's next step and the
   * call / meeting / later buttons, through the send queue and its caps — logged on the lead. Once per entry id.
   */
  async remindOwner(i: ActionInput): Promise<RepActionResult> {
    if (!this.d.outbox) throw new Error('remindOwner needs the send queue');
    const by = await this.nameOf(i.actor);
    const reminderId = `r-${i.entryId.replace(/[^A-Za-z0-9_-]/g, '_').slice(-60)}`;
    const added = await this.d.store.addEntry(i.lead.id, {
      id: i.entryId,
      at: i.at,
      kind: 'manager_reminded',
      source: i.source,
      actor: i.actor,
      to: i.lead.owner,
      nudgeId: reminderId,
    });
    const next = nextStepFor(i.lead, await this.d.store.getTimeline(i.lead.id));
    await this.d.outbox.enqueue({
      key: `remind:${i.entryId}`,
      touser: i.lead.owner,
      body: { msgtype: 'template_card', template_card: reminderCard(i.lead, by, next, reminderId) },
      duplicateCheck: true,
    });
    return { action: 'reminded', lead: i.lead, by, ownerName: await this.nameOf(i.lead.owner), already: !added };
  }

  /** 我来跟 (the board): a manager takes the next call on this lead, and the owner is told. (A call on the lead logged by anyone but the owner is told to the owner: logCall.) */
  async takeNextCall(i: ActionInput): Promise<RepActionResult> {
    if (!this.d.outbox) throw new Error('takeNextCall needs the send queue');
    const by = await this.nameOf(i.actor);
    const added = await this.d.store.addEntry(i.lead.id, { id: i.entryId, at: i.at, kind: 'manager_took', source: i.source, actor: i.actor, to: i.lead.owner });
    await this.d.outbox.enqueue({
      key: `take:${i.entryId}`,
      touser: i.lead.owner,
      body: { msgtype: 'text', text: { content: COPY.managerTakes(by, i.lead) } },
    });
    return { action: 'taken', lead: i.lead, by, ownerName: await this.nameOf(i.lead.owner), already: !added };
  }

  /** 合并: a manual lead into a WeCom customer's lead; false when it already went into another one. */
  async merge(manual: Lead, into: Lead, at: number, actor: string, source: EntrySource): Promise<boolean> {
    if (!isManual(manual)) throw new Error(`lead ${displayName(manual)} is not a manual lead`);
    return this.d.ledger.mergeManual(manual.id, into.id, at, actor, source);
  }
}
