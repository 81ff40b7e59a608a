import { DateTime } from 'luxon';
import { canSee, type Viewer } from '../domain/board/viewer';
import { mindshareByWeek, nudgeOutcomes, sideOf } from '../domain/board/lead-board';
import type { Clock } from '../domain/clock';
import type { Lead } from '../domain/lead';
import { computeMetrics } from '../domain/metrics';
import { nextStepFor } from '../domain/next-step';
import { decisionHistory, decisionSuggestionOf, stateSuggestionOf } from '../domain/signals/suggestion';
import type { BoardLeadActions, LeadRepository } from './ports';
import type { RepActionResult, RepActions } from './rep-actions';

/**
 * The board's lead page and the manager's actions on a lead (提醒他, 我来跟), for a viewer: a lead whose owner the viewer
 * may not see does not exist for them (undefined → 404). The actions go through the rep-action core.
 */
export class BoardLeads implements BoardLeadActions {
  constructor(private readonly d: { store: LeadRepository; actions: RepActions; clock: Clock; timeZone: string }) {}

  private async visible(viewer: Viewer, id: string): Promise<Lead | undefined> {
    const lead = await this.d.store.getLead(id);
    return lead && !lead.mergedInto && canSee(viewer, lead.owner) ? lead : undefined;
  }

  async lead(viewer: Viewer, id: string) {
    const lead = await this.visible(viewer, id);
    if (!lead) return undefined;
    const timeline = await this.d.store.getTimeline(lead.id);
    const now = this.d.clock.now();
    const today = DateTime.fromMillis(now, { zone: this.d.timeZone }).toISODate() ?? '';
    const history = decisionHistory(timeline);
    const state = timeline
      .filter((e) => e.kind === 'state_changed')
      .sort((a, b) => a.at - b.at)
      .at(-1);
    // A won or lost lead reads as closed: what came of it, no next step and no suggestion.
    const open = lead.outcome === 'open';
    return {
      lead,
      stateSetBy: state ? { actor: state.actor, at: state.at, source: state.source } : undefined,
      metrics: computeMetrics(lead, timeline, now),
      next: open ? nextStepFor(lead, timeline) : null,
      stateSuggestion: open ? stateSuggestionOf(lead, timeline) : null,
      decisionSuggestion: open ? decisionSuggestionOf(lead, timeline, today) : null,
      decisionDates: history.dates,
      decisionSlips: history.slips,
      mindshare: mindshareByWeek(timeline, now, this.d.timeZone, 12),
      customerSide: timeline.filter((e) => sideOf(e) === 'customer'),
      ourSide: timeline.filter((e) => sideOf(e) === 'ours'),
      nudges: nudgeOutcomes(timeline),
    };
  }

  async remind(viewer: Viewer, id: string, key: string): Promise<RepActionResult | 'not_found' | 'forbidden'> {
    return this.act(viewer, id, key, 'board-remind', (i) => this.d.actions.remindOwner(i));
  }

  async take(viewer: Viewer, id: string, key: string): Promise<RepActionResult | 'not_found' | 'forbidden'> {
    return this.act(viewer, id, key, 'board-take', (i) => this.d.actions.takeNextCall(i));
  }

  private async act(
    viewer: Viewer,
    id: string,
    key: string,
    prefix: string,
    f: (i: Parameters<RepActions['remindOwner']>[0]) => Promise<RepActionResult>,
  ): Promise<RepActionResult | 'not_found' | 'forbidden'> {
    const lead = await this.visible(viewer, id);
    if (!lead) return 'not_found';
    // A manager's action on their team's lead; a rep does not remind themselves.
    if (viewer.role === 'rep' || lead.owner === viewer.userId) return 'forbidden';
    return f({ lead, actor: viewer.userId, at: this.d.clock.now(), entryId: `${prefix}:${viewer.userId}:${key}`, source: 'api' });
  }
}
