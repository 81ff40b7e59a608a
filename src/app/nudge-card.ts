import { displayName, STATE_LABELS, type Lead } from '../domain/lead';
import type { Nudge } from '../domain/nudge-policy';
import type { ButtonInteractionCard } from '../wecom/api-types';
import { CARD_BUTTONS, MEETING_CHECK, meetingCheckText } from './copy';

/** A button of a nudge card; its key is "<action>:<leadId>:<nudgeId>" (src/app/card-presses.ts reads it back). */
export type CardAction = keyof typeof CARD_BUTTONS;

/** The button card a nudge goes out as: the policy's title and text, and the buttons that act on it. */
export function nudgeCard(n: Nudge, id: string, lead: Lead): ButtonInteractionCard {
  const actions: CardAction[] =
    n.kind === 'proposal_to_meeting' || n.kind === 'widen_chain'
      ? ['meeting', 'group', 'snooze', 'lost']
      : n.kind === 'open_group'
        ? ['group', 'meeting', 'snooze', 'lost']
        : ['called', 'meeting', 'snooze', 'lost'];
  return {
    card_type: 'button_interaction',
    source: { desc: '跟进助手' },
    main_title: { title: [...n.title].slice(0, 26).join(''), desc: `${lead.company ?? ''}${lead.company ? ' · ' : ''}${STATE_LABELS[lead.state]}` },
    sub_title_text: n.text,
    task_id: id,
    button_list: actions.map((a, i) => ({ text: CARD_BUTTONS[a], style: i === 0 ? 1 : 2, key: `${a}:${lead.id}:${id}` })),
  };
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
