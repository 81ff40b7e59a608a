import { displayCompany, displayName, STATE_LABELS, type Lead } from '../domain/lead';
import type { Nudge } from '../domain/nudge-policy';
import type { ButtonInteractionCard } from '../wecom/api-types';
import { CARD_BUTTONS, COPY, MEETING_CHECK, meetingCheckText, nextStepText, STATE_ANSWERS } from './copy';
import type { NextStep } from '../domain/next-step';

/** A button of a nudge card; its key is "<action>:<leadId>:<nudgeId>" (src/app/card-presses.ts reads it back). */
export type CardAction = keyof typeof CARD_BUTTONS;

/** The button card a nudge goes out as: the policy's title and text, and the buttons that act on it. */
export function nudgeCard(n: Nudge, id: string, lead: Lead): ButtonInteractionCard {
  const actions = buttonsFor(n);
  const text = (a: CardAction) => (a === suggestedButton(n) ? `是，${CARD_BUTTONS[a]}` : CARD_BUTTONS[a]);
  return {
    card_type: 'button_interaction',
    source: { desc: '跟进助手' },
    main_title: { title: [...n.title].slice(0, 26).join(''), desc: `${displayCompany(lead) ?? ''}${lead.company ? ' · ' : ''}${STATE_LABELS[lead.state]}` },
    sub_title_text: n.text,
    task_id: id,
    button_list: actions.map((a, i) => ({ text: text(a), style: i === 0 ? 1 : 2, key: `${a}:${lead.id}:${id}` })),
  };
}

const STATE_BUTTON = Object.fromEntries(Object.entries(STATE_ANSWERS).map(([button, state]) => [state, button])) as Record<string, CardAction>;

/** The suggested state's button on a state-suggestion card (it comes first and reads 「是，陪跑」). */
function suggestedButton(n: Nudge): CardAction | undefined {
  return n.kind === 'confirm_state' && n.suggested?.state ? STATE_BUTTON[n.suggested.state] : undefined;
}

/** Each nudge kind's buttons, the one that does what it asks first. */
function buttonsFor(n: Nudge): CardAction[] {
  switch (n.kind) {
    case 'confirm_state': {
      const first = suggestedButton(n);
      const rest = (['cs_bench', 'cs_price', 'cs_explore'] as CardAction[]).filter((b) => b !== first);
      return [...(first ? [first] : []), ...rest, 'cs_none'];
    }
    case 'confirm_decision':
      return ['cd_yes', 'cd_no'];
    case 'proposal_to_meeting':
    case 'widen_chain':
      return ['meeting', 'group', 'snooze', 'lost'];
    case 'open_group':
      return ['group', 'meeting', 'snooze', 'lost'];
    case 'decision_due':
    case 'position':
    case 'quiet':
    case 'weekly_call':
      return ['called', 'meeting', 'snooze', 'lost'];
  }
}

/** After 已打电话: how long was the call? One tap completes the call the press logged (keys carry its event id). */
export function callFollowUpCard(lead: Lead, callEventId: string): ButtonInteractionCard {
  const buttons: CardAction[] = ['min5', 'min15', 'min30', 'noanswer'];
  return {
    card_type: 'button_interaction',
    source: { desc: '跟进助手' },
    main_title: { title: [...`和${displayName(lead)}聊了多久？`].slice(0, 26).join(''), desc: '点一下，记到这次电话上' },
    task_id: `call-${callEventId}`.replace(/[^0-9a-zA-Z_\-@]/g, '_').slice(0, 128),
    button_list: buttons.map((b, i) => ({ text: CARD_BUTTONS[b], style: i === 3 ? 2 : 1, key: `${b}:${lead.id}:${callEventId}` })),
  };
}

/** A booked meeting without customer attendance in WeCom: did it happen? Keys carry the WeCom meeting id. */
export function meetingCheckCard(lead: Lead, meetingId: string, startsAt: number, zone: string): ButtonInteractionCard {
  const text = meetingCheckText(lead, startsAt, zone);
  const buttons = Object.keys(MEETING_CHECK) as (keyof typeof MEETING_CHECK)[];
  return {
    card_type: 'button_interaction',
    source: { desc: '跟进助手' },
    main_title: { title: [...text.title].slice(0, 26).join(''), desc: text.desc },
    task_id: `meeting-${meetingId}`.replace(/[^0-9a-zA-Z_\-@]/g, '_').slice(0, 128),
    button_list: buttons.map((b, i) => ({ text: CARD_BUTTONS[b], style: i === 0 ? 1 : 2, key: `${b}:${lead.id}:${meetingId}` })),
  };
}

/** 提醒他 from the board: the manager's reminder to the owner, with the method's next step and the usual buttons. */
export function reminderCard(lead: Lead, by: string, next: NextStep, id: string): ButtonInteractionCard {
  const buttons: CardAction[] = ['called', 'meeting', 'snooze'];
  return {
    card_type: 'button_interaction',
    source: { desc: '跟进助手' },
    main_title: {
      title: [...`${by}提醒你跟进${displayName(lead)}`].slice(0, 26).join(''),
      desc: `${displayCompany(lead) ?? ''}${lead.company ? ' · ' : ''}${STATE_LABELS[lead.state]}`,
    },
    sub_title_text: COPY.reminderText(by, lead, nextStepText(next, displayName(lead))),
    task_id: id.replace(/[^0-9a-zA-Z_\-@]/g, '_').slice(0, 128),
    button_list: buttons.map((a, i) => ({ text: CARD_BUTTONS[a], style: i === 0 ? 1 : 2, key: `${a}:${lead.id}:${id}` })),
  };
}
