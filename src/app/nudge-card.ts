import { STATE_LABELS, type Lead } from '../domain/lead';
import type { Nudge } from '../domain/nudge-policy';
import type { ButtonInteractionCard } from '../wecom/api-types';
import { CARD_BUTTONS } from './copy';

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
