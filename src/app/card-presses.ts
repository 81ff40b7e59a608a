import { nextBusinessMorning } from '../domain/chinese-dates';
import type { Clock } from '../domain/clock';
import type { Logger } from '../log';
import type { TemplateCardEvent } from '../wecom/events';
import { nudgeHandled } from '../domain/nudge-bookkeeping';
import type { Lead } from '../domain/lead';
import { CALL_FOLLOW_UP, cardDoneLabel, cardReply, CARD_BUTTONS, COPY, DECISION_ANSWERS, MEETING_CHECK, STATE_ANSWERS } from './copy';
import { decisionSuggestionOf } from '../domain/signals/suggestion';
import { DateTime } from 'luxon';
import { bookedMeeting } from '../domain/meeting-attendance';
import { callFollowUpCard } from './nudge-card';
import type { CardAction } from './nudge-card';
import type { ActivityCounter, CardUpdater, LedgerRepository, MessageOutbox } from './ports';
import type { RepActionResult, RepActions } from './rep-actions';

export interface CardPressDeps {
  store: LedgerRepository;
  actions: RepActions;
  outbox: MessageOutbox;
  cards: CardUpdater;
  activity: ActivityCounter;
  clock: Clock;
  timeZone: string;
  /** ISO weekdays that are business days (NUDGE_DAYS): a one-tap meeting goes on the next one. */
  businessDays: readonly number[];
  log: Logger;
}

/**
 * A button on a nudge card, as a thin adapter onto the rep-action core: do it, update the card, answer, and log the
 * press on the lead (which resolves the nudge). Every step is idempotent by the press's event id, and the press is
 * logged last: a retry after a crash anywhere in between finishes the job (the same meeting, the same reply).
 */
export class CardPresses {
  constructor(private readonly d: CardPressDeps) {}

  /** A press on the follow-up card: the call logged by 已打电话 (event `callEventId`) gets its minutes or "no answer". */
  private async onCallFollowUp(
    e: TemplateCardEvent,
    eventId: string,
    lead: Lead,
    button: keyof typeof CALL_FOLLOW_UP,
    callEventId: string,
    at: number,
  ): Promise<boolean> {
    const input = { lead, actor: e.fromUser, at, entryId: `card-call:${callEventId}`, source: 'card' as const };
    const minutes = CALL_FOLLOW_UP[button];
    const result = await this.d.actions.completeCall(input, button === 'noanswer' ? { outcome: 'no_answer' } : { minutes, outcome: 'talked' });
    await this.answer(e, eventId, `已记录：${CARD_BUTTONS[button]}`, cardReply(result, this.d.timeZone));
    return true;
  }

  /** A press on the meeting-check card: the booked meeting `meetingId` was held, not held, or is to be moved. */
  private async onMeetingCheck(e: TemplateCardEvent, eventId: string, lead: Lead, button: keyof typeof MEETING_CHECK, meetingId: string, at: number) {
    const booked = bookedMeeting(await this.d.store.getTimeline(lead.id), meetingId);
    if (!booked) return false;
    const input = { lead, actor: e.fromUser, at, entryId: `card-meeting-check:${eventId}`, source: 'card' as const };
    const how = MEETING_CHECK[button];
    const result = await this.d.actions.settleMeeting(
      input,
      booked,
      how === 'moved' ? { how, movedTo: nextBusinessMorning(this.d.clock.now(), this.d.timeZone, this.d.businessDays) } : { how },
    );
    await this.answer(e, eventId, `已记录：${CARD_BUTTONS[button]}`, cardReply(result, this.d.timeZone));
    await this.d.activity.count({ event: 'card_actions', kind: button });
    return true;
  }

  /**
   * What every press ends with: the pressed card shows `label` instead of its buttons (with the press's one-time
   * response_code; a failed update is logged, not fatal) and the rep gets `reply`, once per press.
   */
  private async answer(e: TemplateCardEvent, eventId: string, label: string, reply: string): Promise<void> {
    if (e.responseCode) {
      await this.d.cards.markDone(e.responseCode, label).catch((err: Error) => {
        this.d.log.warn({ reason: 'nudge.card_update_failed', err: err.message }, 'card could not be updated');
      });
    }
    await this.d.outbox.enqueue({ key: `card-reply:${eventId}`, touser: e.fromUser, body: { msgtype: 'text', text: { content: reply } } });
  }

  /**
   * A press this bot cannot act on — a key that is not one of ours, a lead merged away or deleted, a booking that is
   * gone: the card stops offering its buttons and the rep is told, never met with silence.
   */
  async answerStale(e: TemplateCardEvent, eventId: string): Promise<void> {
    await this.answer(e, eventId, '已失效', COPY.cardStale);
  }

  /** False when the key is not one of ours or the lead is gone. */
  async onCardClick(e: TemplateCardEvent, eventId: string): Promise<boolean> {
    const [action, leadId, ...rest] = e.eventKey.split(':') as [string, string | undefined, ...string[]];
    const nudgeId = rest.length > 0 ? rest.join(':') : undefined;
    if (!leadId || !(action in CARD_BUTTONS)) return false;
    const lead = await this.d.store.getLead(leadId);
    if (!lead) return false;
    const at = e.createTime * 1000 || this.d.clock.now();
    if (action in CALL_FOLLOW_UP) return this.onCallFollowUp(e, eventId, lead, action as keyof typeof CALL_FOLLOW_UP, nudgeId ?? '', at);
    if (action in MEETING_CHECK) return this.onMeetingCheck(e, eventId, lead, action as keyof typeof MEETING_CHECK, nudgeId ?? '', at);
    const timeline = await this.d.store.getTimeline(leadId);
    const sentEntry = timeline.find((x) => x.id === `nudge:${nudgeId}`);
    // A press on a card whose nudge was already handled (pressed before, or resolved another way) is answered, not done
    // again: no second call logged, no second meeting.
    const handled = nudgeId ? nudgeHandled(timeline, nudgeId, `card:${eventId}`) : undefined;
    if (handled) {
      const how = handled.kind === 'nudge_resolved' ? handled.note : undefined;
      await this.answer(e, eventId, how ?? '已处理', COPY.nudgeAlreadyHandled(lead, how));
      return true;
    }
    const input = (prefix: string) => ({ lead, actor: e.fromUser, at, entryId: `${prefix}:${eventId}`, source: 'card' as const });
    const { actions } = this.d;
    let result: RepActionResult;
    switch (action as Exclude<CardAction, keyof typeof CALL_FOLLOW_UP | keyof typeof MEETING_CHECK>) {
      case 'called':
        result = await actions.logCall(input('card-call'));
        break;
      case 'meeting': {
        // 10:00 on the next business day, business time.
        result = await actions.bookMeeting(input('card-meeting'), nextBusinessMorning(this.d.clock.now(), this.d.timeZone, this.d.businessDays));
        break;
      }
      case 'group':
        result = await actions.openGroup(lead);
        break;
      case 'snooze':
        result = await actions.snooze(input('card-snooze'), 3);
        break;
      case 'lost':
        result = await actions.close(input('card-lost'), 'lost', '卡片标记输单');
        break;
      case 'cs_bench':
      case 'cs_price':
      case 'cs_explore':
      case 'cs_none':
        result = await actions.answerStateSuggestion(input('card-state'), STATE_ANSWERS[action as keyof typeof STATE_ANSWERS]);
        break;
      case 'cd_yes':
      case 'cd_no': {
        // The date the customer named, as the card put it (read again: the card carries only its nudge's id).
        const today = DateTime.fromMillis(at, { zone: this.d.timeZone }).toISODate() ?? '';
        const named = decisionSuggestionOf(lead, timeline, today)?.date;
        result = await actions.answerDecisionSuggestion(input('card-decision'), DECISION_ANSWERS[action as keyof typeof DECISION_ANSWERS] ? named : undefined);
        break;
      }
    }
    await this.answer(e, eventId, cardDoneLabel(action as CardAction), cardReply(result, this.d.timeZone));
    // 已打电话: one short follow-up instead of a 0-minute call — how long, or nobody answered.
    if (action === 'called' && result.action === 'call') {
      await this.d.outbox.enqueue({
        key: `call-follow-up:${eventId}`,
        touser: e.fromUser,
        body: { msgtype: 'template_card', template_card: callFollowUpCard(lead, eventId) },
      });
    }
    const added = await this.d.store.addEntry(leadId, {
      id: `card:${eventId}`,
      at,
      kind: 'nudge_acted',
      source: 'card',
      actor: e.fromUser,
      note: action,
      nudgeKind: sentEntry?.nudgeKind,
      nudgeId,
    });
    if (added) await this.d.activity.count({ event: 'card_actions', kind: action });
    return true;
  }
}
