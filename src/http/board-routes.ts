import { pageOf } from './query';
import type Router from '@koa/router';
import type { Middleware } from 'koa';
import type { BoardLeadActions, BoardLeadPage, BoardProjection } from '../app/ports';
import { addEffects, RISK_WEIGHTS, type NudgeEffect } from '../domain/board/rows';
import { nudgeKindLabel } from '../domain/nudge-labels';
import type { BoardState } from './board-auth-routes';
import { entryView, iso, leadView, metricsView } from './lead-routes';

/** Timeline entries per side on one lead page. */
const TIMELINE_PAGE = 50;

/**
 * The lead page's JSON: times as ISO-8601, the timeline split into the customer's side and ours. Each side is paged from the newest entry back: `offset` entries skipped,
 * `limit` shown (in time order), with each side's total — a lead with years of messages is still one small answer.
 */
export function boardLeadView(p: BoardLeadPage, page: { offset: number; limit: number } = { offset: 0, limit: TIMELINE_PAGE }) {
  const newest = <T>(entries: readonly T[]) => entries.slice(Math.max(0, entries.length - page.offset - page.limit), Math.max(0, entries.length - page.offset));
  return {
    lead: { ...leadView(p.lead), stateSetBy: p.stateSetBy ? { ...p.stateSetBy, at: iso(p.stateSetBy.at) } : null },
    metrics: metricsView(p.metrics),
    next: p.next,
    stateSuggestion: p.stateSuggestion && { ...p.stateSuggestion, at: iso(p.stateSuggestion.at) },
    decisionSuggestion: p.decisionSuggestion && { ...p.decisionSuggestion, at: iso(p.decisionSuggestion.at) },
    decisionDates: p.decisionDates.map((d) => ({ ...d, at: iso(d.at) })),
    decisionSlips: p.decisionSlips,
    mindshare: p.mindshare,
    timeline: {
      customer: newest(p.customerSide).map(entryView),
      ours: newest(p.ourSide).map(entryView),
      total: { customer: p.customerSide.length, ours: p.ourSide.length },
      offset: page.offset,
      limit: page.limit,
    },
    nudges: p.nudges.map((n) => ({ ...n, label: nudgeKindLabel(n.kind), sentAt: iso(n.sentAt), at: iso(n.at) })),
  };
}

/**
 * The board's JSON API for one lead (documented in README): GET /api/board/leads/:id; POST …/remind (提醒他) and
 * …/take (我来跟), which need a manager's or admin's session, the board's Origin and the CSRF token (the session guard),
 * and are idempotent by the `Idempotency-Key` header (else by the minute: a double click does it once).
 */
export function mountBoardRoutes(
  router: Router,
  deps: { session: Middleware; leads: BoardLeadActions; team: BoardProjection; names: { nameOf(userId: string): Promise<string> }; now: () => number },
): void {
  const viewerOf = (state: unknown) => (state as BoardState).viewer;
  const notFound = { error: 'NOT_FOUND', message: '没有这个客户，或你看不到他' };
  /** The reps' names from WeCom (cached there); a rep whose name cannot be read is shown by id. */
  const namesOf = (lines: { rep: string }[]) => Promise.all(lines.map((l) => deps.names.nameOf(l.rep).catch(() => l.rep)));

  // 团队: one line per rep the viewer sees, the riskiest first (lines follow the sweep and the nightly rebuild).
  router.get('/api/board/team', deps.session, async (ctx) => {
    const viewer = viewerOf(ctx.state.board);
    const lines = (await deps.team.team(viewer.reps)).sort((a, b) => b.risk - a.risk);
    const names = await namesOf(lines);
    ctx.body = { reps: lines.map((l, i) => ({ ...l, name: names[i] })), riskWeights: RISK_WEIGHTS };
  });

  // 提醒效果: per nudge kind, for each rep the viewer sees and in all: sent, acted on within 72 h, followed by a call,
  // meeting or group within 7 days, ignored (30 days).
  router.get('/api/board/nudges', deps.session, async (ctx) => {
    const lines = await deps.team.team(viewerOf(ctx.state.board).reps);
    const names = await namesOf(lines);
    const labelled = (kinds: Record<string, NudgeEffect>) =>
      Object.fromEntries(Object.entries(kinds).map(([kind, e]) => [kind, { ...e, label: nudgeKindLabel(kind) }]));
    ctx.body = {
      byKind: labelled(addEffects(lines.map((l) => l.nudgeKinds ?? {}))),
      byRep: lines.map((l, i) => ({ rep: l.rep, name: names[i], kinds: labelled(l.nudgeKinds ?? {}) })),
    };
  });

  // 风险: open leads at risk among the viewer's reps, riskiest first; ?rep= ?state= ?chip= &offset= &limit= (≤ 100).
  router.get('/api/board/risks', deps.session, async (ctx) => {
    const viewer = viewerOf(ctx.state.board);
    const q = ctx.query as Record<string, string | undefined>;
    const reps = q.rep ? (viewer.reps === 'all' || viewer.reps.includes(q.rep) ? [q.rep] : []) : viewer.reps;
    const paging = pageOf(ctx, q, { maxLimit: 100 });
    if (!paging) return;
    const { offset, limit } = paging;
    const rows = await deps.team.risks(reps, { state: q.state, chip: q.chip }, offset, limit);
    // People read names: each lead's owner by the name WeCom has for them.
    const owners = await namesOf(rows.map((r) => ({ rep: r.owner })));
    ctx.body = { leads: rows.map(({ actMinutes: _a, ...r }, i) => ({ ...r, ownerName: owners[i] })), offset, limit, riskWeights: RISK_WEIGHTS };
  });

  router.get('/api/board/leads/:id', deps.session, async (ctx) => {
    const paging = pageOf(ctx, ctx.query, { maxLimit: 200, defaultLimit: TIMELINE_PAGE });
    if (!paging) return;
    const page = await deps.leads.lead(viewerOf(ctx.state.board), ctx.params.id ?? '');
    if (!page) {
      ctx.status = 404;
      ctx.body = notFound;
      return;
    }
    const view = boardLeadView(page, paging);
    const setBy = page.stateSetBy?.actor;
    const [ownerName, setByName] = await Promise.all([
      deps.names.nameOf(page.lead.owner).catch(() => page.lead.owner),
      setBy ? deps.names.nameOf(setBy).catch(() => setBy) : Promise.resolve(undefined),
    ]);
    ctx.body = { ...view, lead: { ...view.lead, stateSetBy: view.lead.stateSetBy && { ...view.lead.stateSetBy, name: setByName } }, ownerName };
  });

  for (const [path, act] of [
    ['remind', (v: BoardState['viewer'], id: string, key: string) => deps.leads.remind(v, id, key)],
    ['take', (v: BoardState['viewer'], id: string, key: string) => deps.leads.take(v, id, key)],
  ] as const) {
    router.post(`/api/board/leads/:id/${path}`, deps.session, async (ctx) => {
      const header = ctx.get('idempotency-key');
      const key = /^[A-Za-z0-9_-]{8,64}$/.test(header) ? header : `m${Math.floor(deps.now() / 60_000)}`;
      const r = await act(viewerOf(ctx.state.board), ctx.params.id ?? '', key);
      if (r === 'not_found') {
        ctx.status = 404;
        ctx.body = notFound;
      } else if (r === 'forbidden') {
        ctx.status = 403;
        ctx.body = { error: 'ROLE_FORBIDDEN', message: '只有经理能提醒或接手团队的客户' };
      } else {
        ctx.status = r.already ? 200 : 201;
        ctx.body = { done: r.action, already: r.already ?? false };
      }
    });
  }
}
