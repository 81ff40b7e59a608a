import { pageOf } from './query';
import type Router from '@koa/router';
import type Koa from 'koa';
import { DateTime } from 'luxon';
import type { Clock } from '../domain/clock';
import { decisionHistory, decisionSuggestionOf, stateSuggestionOf } from '../domain/signals/suggestion';
import { BUYING_STATES, OUTCOMES, type BuyingState, type Lead, type Outcome } from '../domain/lead';
import { computeMetrics, DAY_MS, type LeadMetrics } from '../domain/metrics';
import type { TimelineEntry } from '../domain/timeline';
import type { Logger } from '../log';
import type { LeadQueries, LeadRepository } from '../app/ports';

/** A time as the admin and board APIs show it: ISO-8601, or null. */
export const iso = (ms: number | undefined) => (ms === undefined ? null : new Date(ms).toISOString());

/** The admin API's shape (camelCase, ISO-8601 times). Operators and integrations rely on these names. */
export function leadView(lead: Lead) {
  return {
    id: lead.id,
    externalUserId: lead.externalUserId ?? null,
    name: lead.name,
    remark: lead.remark ?? null,
    company: lead.company ?? null,
    owner: lead.owner,
    source: lead.source,
    state: lead.state,
    outcome: lead.outcome,
    outcomeReason: lead.outcomeReason ?? null,
    decisionDate: lead.decisionDate ?? null,
    relationship: lead.relationship,
    stakeholders: lead.stakeholders,
    groups: lead.groups,
    snoozedUntil: iso(lead.snoozedUntil),
    /** Set on a manual lead merged into a WeCom customer's lead: that lead's id. */
    mergedInto: lead.mergedInto ?? null,
    /** The customer's answer to archiving their chat: agreed or not, and when (null: no answer seen). */
    archiveConsent: lead.archiveConsent ? { agreed: lead.archiveConsent.agreed, at: iso(lead.archiveConsent.at) } : null,
    createdAt: iso(lead.createdAt),
  };
}

export function metricsView(m: LeadMetrics) {
  return { ...m, lastCustomerTouchAt: iso(m.lastCustomerTouchAt), lastRepTouchAt: iso(m.lastRepTouchAt) };
}

export function entryView(e: TimelineEntry) {
  return { ...e, at: iso(e.at), ...(e.startsAt !== undefined ? { startsAt: iso(e.startsAt) } : {}) };
}

function badRequest(ctx: Koa.Context, message: string): void {
  ctx.status = 400;
  ctx.body = { error: 'BAD_REQUEST', message };
}

/**
 * What the customer's own words suggest, while the rep has not answered it: the buying state (`null` when there is
 * nothing to ask), the decision date they named, and the lead's decision dates so far with how often they slipped.
 */
export function suggestionsView(lead: Lead, timeline: readonly TimelineEntry[], now: number, timeZone: string) {
  const s = stateSuggestionOf(lead, timeline);
  const d = decisionSuggestionOf(lead, timeline, DateTime.fromMillis(now, { zone: timeZone }).toISODate() ?? '');
  const history = decisionHistory(timeline);
  return {
    stateSuggestion: s && { state: s.state, confidence: s.confidence, evidence: s.evidence, cue: s.cue, at: iso(s.at) },
    decisionSuggestion: d && { date: d.date, cue: d.cue, evidence: d.evidence, at: iso(d.at) },
    decisionDates: history.dates.map((x) => ({ date: x.date, at: iso(x.at), source: x.source })),
    decisionSlips: history.slips,
  };
}

export function mountLeadRoutes(
  router: Router,
  admin: Koa.Middleware,
  deps: { store: LeadRepository & LeadQueries; clock: Clock; log: Logger; timeZone: string },
): void {
  const { store, clock } = deps;

  router.get('/api/leads', admin, async (ctx) => {
    const q = ctx.query;
    const state = typeof q.state === 'string' ? q.state : undefined;
    const outcome = typeof q.outcome === 'string' ? q.outcome : undefined;
    if (state && !(BUYING_STATES as readonly string[]).includes(state)) return badRequest(ctx, `state must be one of ${BUYING_STATES.join(', ')}`);
    if (outcome && !(OUTCOMES as readonly string[]).includes(outcome)) return badRequest(ctx, `outcome must be one of ${OUTCOMES.join(', ')}`);
    const quietDays = q.quietDays === undefined ? undefined : Number(q.quietDays);
    if (quietDays !== undefined && !(Number.isInteger(quietDays) && quietDays >= 0)) return badRequest(ctx, 'quietDays must be a whole number of days');
    const paging = pageOf(ctx, q, { maxLimit: 200 });
    if (!paging) return;
    const { offset, limit } = paging;
    const now = clock.now();
    const { ids, total } = await store.queryLeads({
      owner: typeof q.owner === 'string' ? q.owner : undefined,
      state: state as BuyingState | undefined,
      outcome: outcome as Outcome | undefined,
      quietSince: quietDays === undefined ? undefined : now - quietDays * DAY_MS,
      offset,
      limit,
    });
    // The page's leads and timelines in one read (one MGET and one pipeline), not two commands per lead.
    const items = (await store.loadMany(ids)).flatMap(({ lead, timeline }) =>
      lead ? [{ lead: leadView(lead), metrics: metricsView(computeMetrics(lead, timeline, now)) }] : [],
    );
    ctx.body = { items, total, offset, limit };
  });

  router.get('/api/leads/:id', admin, async (ctx) => {
    const lead = await store.getLead(ctx.params.id ?? '');
    if (!lead) {
      ctx.status = 404;
      ctx.body = { error: 'NOT_FOUND', message: 'no lead with that id or external_userid' };
      return;
    }
    const timeline = await store.getTimeline(lead.id);
    const now = clock.now();
    ctx.body = {
      lead: { ...leadView(lead), ...suggestionsView(lead, timeline, now, deps.timeZone) },
      metrics: metricsView(computeMetrics(lead, timeline, now)),
      timeline: timeline.map(entryView),
    };
  });
}
