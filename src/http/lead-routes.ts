import { createHmac, timingSafeEqual } from 'node:crypto';
import type Router from '@koa/router';
import type Koa from 'koa';
import { archiveBatchSchema, ingestArchive } from '../app/archive-ingest';
import type { Clock } from '../domain/clock';
import { BUYING_STATES, OUTCOMES, type BuyingState, type Lead, type Outcome } from '../domain/lead';
import { computeMetrics, DAY_MS, type LeadMetrics } from '../domain/metrics';
import type { TimelineEntry } from '../domain/timeline';
import type { Logger } from '../log';
import type { LedgerStore } from '../store/ledger-store';
import { readRawBody } from './raw-body';

const iso = (ms: number | undefined) => (ms === undefined ? null : new Date(ms).toISOString());

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

export function mountLeadRoutes(router: Router, admin: Koa.Middleware, deps: { store: LedgerStore; clock: Clock; log: Logger; archiveSecret?: string }): void {
  const { store, clock } = deps;

  router.get('/api/leads', admin, async (ctx) => {
    const q = ctx.query;
    const state = typeof q.state === 'string' ? q.state : undefined;
    const outcome = typeof q.outcome === 'string' ? q.outcome : undefined;
    if (state && !(BUYING_STATES as readonly string[]).includes(state)) return badRequest(ctx, `state must be one of ${BUYING_STATES.join(', ')}`);
    if (outcome && !(OUTCOMES as readonly string[]).includes(outcome)) return badRequest(ctx, `outcome must be one of ${OUTCOMES.join(', ')}`);
    const quietDays = q.quietDays === undefined ? undefined : Number(q.quietDays);
    if (quietDays !== undefined && !(Number.isInteger(quietDays) && quietDays >= 0)) return badRequest(ctx, 'quietDays must be a whole number of days');
    const limit = Math.min(Math.max(Number(q.limit ?? 50) || 50, 1), 200);
    const offset = Math.max(Number(q.offset ?? 0) || 0, 0);
    const now = clock.now();
    const { ids, total } = await store.queryLeads({
      owner: typeof q.owner === 'string' ? q.owner : undefined,
      state: state as BuyingState | undefined,
      outcome: outcome as Outcome | undefined,
      quietSince: quietDays === undefined ? undefined : now - quietDays * DAY_MS,
      offset,
      limit,
    });
    const leads = await store.getLeads(ids);
    const items = await Promise.all(
      leads.map(async (lead) => ({ lead: leadView(lead), metrics: metricsView(computeMetrics(lead, await store.getTimeline(lead.id), now)) })),
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
    ctx.body = { lead: leadView(lead), metrics: metricsView(computeMetrics(lead, timeline, clock.now())), timeline: timeline.map(entryView) };
  });

  // The chat-archive sidecar posts decrypted records here, signed with ARCHIVE_SECRET.
  router.post('/ingest/archive', async (ctx) => {
    if (!deps.archiveSecret) {
      ctx.status = 404;
      ctx.body = { error: 'ARCHIVE_DISABLED', message: 'set ARCHIVE_SECRET to accept chat-archive records' };
      return;
    }
    const body = await readRawBody(ctx, 10 * 1024 * 1024).catch((err: Error & { code?: string }) => {
      ctx.status = err.code === 'BODY_TOO_LARGE' ? 413 : 400;
      ctx.body = { error: err.code ?? 'BAD_REQUEST' };
      return undefined;
    });
    if (body === undefined) return;
    const given = /^sha256=([0-9a-f]{64})$/i.exec(ctx.get('x-signature'))?.[1];
    const expected = createHmac('sha256', deps.archiveSecret).update(body).digest();
    if (!given || !timingSafeEqual(Buffer.from(given, 'hex'), expected)) {
      deps.log.warn({ reason: 'ARCHIVE_SIGNATURE_INVALID' }, 'archive batch refused');
      ctx.status = 401;
      ctx.body = { error: 'SIGNATURE_INVALID', message: 'X-Signature must be sha256=<hex HMAC-SHA256 of the raw body with ARCHIVE_SECRET>' };
      return;
    }
    let json: unknown;
    try {
      json = JSON.parse(body);
    } catch {
      return badRequest(ctx, 'body is not JSON');
    }
    const batch = archiveBatchSchema.safeParse(json);
    if (!batch.success) return badRequest(ctx, 'body must be {"records": [...]} with at most 5000 records');
    try {
      const result = await ingestArchive(store, batch.data.records);
      deps.log.info({ reason: 'archive.ingested', ...result }, 'archive batch ingested');
      ctx.body = result;
    } catch (err) {
      deps.log.error({ reason: 'STORE_UNAVAILABLE', err: (err as Error).message }, 'archive batch not stored');
      ctx.status = 503;
      ctx.body = { error: 'STORE_UNAVAILABLE' };
    }
  });
}
