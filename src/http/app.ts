import { pageOf } from './query';
import Router from '@koa/router';
import Koa from 'koa';
import type { CallbackIntake, FailedJobs } from '../app/ports';
import type { Logger } from '../log';
import type { WebMetrics } from './web-metrics';
import { AdminAttempts, requireAdmin } from './admin-auth';
import { callbackRoutes } from './callback-routes';

export interface HttpDeps {
  log: Logger;
  appReceiver: CallbackIntake;
  botReceiver?: CallbackIntake;
  maxBodyBytes: number;
  adminToken: string;
  /** Resolves when Redis answers; rejects otherwise. */
  ping: () => Promise<void>;
  parked: FailedJobs;
  /** Sends that failed for good (permanent errors, attempts exhausted, refused recipients): listed and replayable. */
  failedSends?: FailedJobs;
  /** Later issues mount their routes here (admin API, archive ingest). */
  extraRoutes?: (router: Router, admin: Koa.Middleware) => void;
  /** Prometheus metrics: counted on the webhook, served at GET /metrics (admin token). */
  metrics?: WebMetrics;
  /** The queue dashboard (Bull Board), served under /admin/queues behind the admin token (Basic in a browser). */
  dashboard?: { basePath: string; middleware: Koa.Middleware };
}

/**
 * The queue dashboard's page as we serve it: no third-party host (Bull Board's page links Google Fonts; the link is
 * dropped, the system font is used), a CSP allowing only this origin (its inline styles aside), never framed.
 */
const DASHBOARD_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "frame-ancestors 'none'",
  "base-uri 'self'",
  "form-action 'self'",
].join('; ');

const dashboardHeaders: Koa.Middleware = async (ctx, next) => {
  await next();
  if (typeof ctx.body === 'string' && ctx.response.is('html')) ctx.body = ctx.body.replace(/<link[^>]*fonts\.googleapis\.com[^>]*>/g, '');
  ctx.set('Content-Security-Policy', DASHBOARD_CSP);
  ctx.set('X-Frame-Options', 'DENY');
  ctx.set('X-Content-Type-Options', 'nosniff');
  ctx.set('Referrer-Policy', 'no-referrer');
};

export function createHttpApp(deps: HttpDeps): Koa {
  // Behind one proxy: ctx.ips keeps only the address it appended, not what a caller wrote before it.
  const app = new Koa({ proxy: true, maxIpsCount: 1 });
  const router = new Router();
  const attempts = new AdminAttempts({ log: deps.log, onRefused: (reason) => deps.metrics?.adminRefused(reason) });
  const admin = requireAdmin(deps.adminToken, { attempts });

  // Error boundary: nothing escapes as a stack trace.
  app.use(async (ctx, next) => {
    try {
      await next();
    } catch (err) {
      deps.log.error({ reason: 'http.unhandled', path: ctx.path, err: (err as Error).message }, 'unhandled error');
      ctx.status = 500;
      ctx.body = { error: 'INTERNAL_ERROR' };
    }
  });

  router.get('/healthz', (ctx) => {
    ctx.body = { status: 'ok' };
  });
  router.get('/readyz', async (ctx) => {
    try {
      await deps.ping();
      ctx.body = { status: 'ready', redis: 'ok' };
    } catch (err) {
      ctx.status = 503;
      ctx.body = { status: 'not_ready', redis: 'unreachable' };
      deps.log.warn({ reason: 'REDIS_UNREACHABLE', err: (err as Error).message }, 'readiness check failed');
    }
  });

  const callbacks = [{ path: '/wecom/callback', receiver: deps.appReceiver }];
  if (deps.botReceiver) callbacks.push({ path: '/wecom/bot', receiver: deps.botReceiver });
  app.use(callbackRoutes(callbacks, deps.log, deps.maxBodyBytes, deps.metrics));

  const metrics = deps.metrics;
  if (metrics) {
    router.get('/metrics', admin, async (ctx) => {
      ctx.type = metrics.registry.contentType;
      ctx.body = await metrics.render();
    });
  }
  const dashboard = deps.dashboard;
  if (dashboard) {
    const browserAdmin = requireAdmin(deps.adminToken, { browser: true, attempts });
    // Read-only: the dashboard shows queues and jobs; replays go through the JSON API with a Bearer token.
    const readOnly: Koa.Middleware = async (ctx, next) => {
      if (ctx.method === 'GET' || ctx.method === 'HEAD') return next();
      ctx.status = 405;
      ctx.set('Allow', 'GET, HEAD');
      ctx.body = {
        error: 'DASHBOARD_READ_ONLY',
        message: 'the queue dashboard is read-only; use POST /api/inbox/failed/:id/retry or /api/send/failed/:id/retry',
      };
    };
    app.use(async (ctx, next) =>
      ctx.path === dashboard.basePath || ctx.path.startsWith(`${dashboard.basePath}/`)
        ? browserAdmin(ctx, () => readOnly(ctx, () => dashboardHeaders(ctx, () => dashboard.middleware(ctx, next))))
        : next(),
    );
  }

  const mountFailed = (path: string, parked: FailedJobs, what: string) => {
    router.get(path, admin, async (ctx) => {
      const paging = pageOf(ctx, ctx.query, { maxLimit: 500 });
      if (!paging) return;
      const { offset, limit } = paging;
      ctx.body = { items: await parked.listFailed(offset, offset + limit - 1), offset, limit };
    });
    router.post(`${path}/:id/retry`, admin, async (ctx) => {
      const ok = await parked.retry(ctx.params.id ?? '');
      ctx.status = ok ? 202 : 404;
      ctx.body = ok ? { retried: ctx.params.id } : { error: 'NOT_FOUND', message: `no ${what} with that id` };
    });
  };
  mountFailed('/api/inbox/failed', deps.parked, 'parked event');
  if (deps.failedSends) mountFailed('/api/send/failed', deps.failedSends, 'failed send');

  deps.extraRoutes?.(router, admin);
  app.use(router.routes());
  app.use(router.allowedMethods());
  return app;
}
