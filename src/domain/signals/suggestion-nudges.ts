import { displayName, type BuyingState, type Lead } from '../lead';
import { asMarkdown, OUTSIDER_LIMITS } from '../outsider-text';
import { shownDate } from '../shown-dates';
import type { TimelineEntry } from '../timeline';
import { decisionSuggestionOf, stateSuggestionOf } from './suggestion';

/** How the card names each state when asking (the method's three positions, in the rep's words). */
export const STATE_ASK: Record<Exclude<BuyingState, 'unknown'>, { short: string; reads: string }> = {
  benchmarking: { short: '陪跑', reads: '已经接触过几家（陪跑）' },
  price_check: { short: '比价', reads: '是出来比价的（比价）' },
  exploring: { short: '观望', reads: '还没定买不买（观望）' },
};

/** The customer's own words behind a suggestion: the message it came from, or the clause, shortened for a card. */
function quote(timeline: readonly TimelineEntry[], evidence: string[], cue: string): string {
  const source = timeline.find((e) => e.id === evidence.at(-1));
  return asMarkdown((source?.kind === 'customer_message' && source.note) || cue, OUTSIDER_LIMITS.quote);
}

/**
 * The cards that put the customer's words to the rep: the state they point to (confirm_state, in place of the
 * position nudge) and the decision date they named (confirm_decision). Pure.
 */
export function suggestionNudges(
  lead: Lead,
  timeline: readonly TimelineEntry[],
  today: string,
): { kind: 'confirm_state' | 'confirm_decision'; title: string; text: string; suggested: { state?: BuyingState; date?: string } }[] {
  const name = displayName(lead);
  const out: ReturnType<typeof suggestionNudges> = [];
  const s = stateSuggestionOf(lead, timeline);
  if (s && s.state !== 'unknown') {
    const ask = STATE_ASK[s.state];
    const asked = timeline.some((e) => e.kind === 'signal' && e.signal === 'proposal_request' && s.evidence.includes(e.sourceEntryId ?? ''));
    out.push({
      kind: 'confirm_state',
      title: `${name}是${ask.short}吗？`,
      text:
        `${name}说『${quote(timeline, s.evidence, s.cue)}』——看起来${ask.reads}。是吗？点一下就定位；都不是点「都不是」。` +
        (asked ? `\n${name}还要了方案：别一个人写，定位后我提醒你约会或拉群一起过。` : ''),
      suggested: { state: s.state },
    });
  }
  const d = decisionSuggestionOf(lead, timeline, today);
  if (d) {
    const day = shownDate(d.date);
    out.push({
      kind: 'confirm_decision',
      title: `${name}说 ${day} 定？`,
      text: `${name}说『${quote(timeline, d.evidence, d.cue)}』——把决策时间记为 ${day}？${lead.decisionDate ? `（之前记的是 ${shownDate(lead.decisionDate)}）` : ''}到那天我提醒你亲自打电话问结果。`,
      suggested: { date: d.date },
    });
  }
  return out;
}
