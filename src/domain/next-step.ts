import type { Lead } from './lead';
import { decisionChainSize, meetingOrGroupSince } from './meeting-attendance';
import type { TimelineEntry } from './timeline';

/**
 * The one next step the method gives for a lead, from its state and facts, in the method's order: position it first;
 * a customer who asked for a document gets a meeting or a group, not a document written alone; then learn when they
 * decide (the direct question); a contact who is the only person on their side brings in the others who decide;
 * without a group yet, pull the customer into a meeting or a group; otherwise keep the weekly call.
 */
export type NextStep =
  | { step: 'position' }
  | { step: 'meet_not_write' }
  | { step: 'ask_decision' }
  | { step: 'widen_chain' }
  | { step: 'meet_or_group' }
  | { step: 'weekly_call'; decisionDate: string };

export function nextStepFor(lead: Lead, timeline: readonly TimelineEntry[]): NextStep {
  if (lead.state === 'unknown') return { step: 'position' };
  const proposal = timeline
    .filter((e) => e.kind === 'proposal_requested')
    .reduce<TimelineEntry | undefined>((last, e) => (!last || e.at > last.at ? e : last), undefined);
  if (proposal && !meetingOrGroupSince(timeline, proposal.at)) {
    return { step: 'meet_not_write' };
  }
  if (!lead.decisionDate) return { step: 'ask_decision' };
  const shared = lead.groups.length > 0 || timeline.some((e) => e.kind === 'meeting_held');
  if (shared && decisionChainSize(lead, timeline) <= 1) return { step: 'widen_chain' };
  if (!shared) return { step: 'meet_or_group' };
  return { step: 'weekly_call', decisionDate: lead.decisionDate };
}
