import { createHash, timingSafeEqual } from 'node:crypto';
import type { Context, Middleware } from 'koa';
import type { Logger } from '../log';

const digest = (s: string) => createHash('sha256').update(s).digest();

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** The secret a request presents and how: a Bearer token, or the password of HTTP Basic (any user name). */
function presented(header: string): { secret: string; scheme: 'bearer' | 'basic' } | undefined {
  const bearer = /^Bearer\s+(\S.*)$/i.exec(header);
  if (bearer) return { secret: bearer[1] as string, scheme: 'bearer' };
  const basic = /^Basic\s+(\S.*)$/i.exec(header);
  if (!basic) return undefined;
  const decoded = Buffer.from(basic[1] ?? '', 'base64').toString('utf8');
  return decoded.includes(':') ? { secret: decoded.slice(decoded.indexOf(':') + 1), scheme: 'basic' } : undefined;
}

function refuse(ctx: Context, status: number, error: string, message: string): void {
  ctx.status = status;
  ctx.body = { error, message };
}

/**
 * Why a state-changing request is refused before it is authorised, or undefined when it may go on. A browser attaches
 * Basic credentials (and cookies) to requests that any page it visits makes, so a state-changing request must come from
 * our own origin (`Origin`, `Sec-Fetch-Site`), must not rest on Basic credentials (a Bearer header cannot be attached
 * cross-site without a CORS preflight, which we never grant), and carries JSON if it carries a body (a form post needs
 * no preflight).
 */
export function crossSiteRefusal(ctx: Context): { status: number; error: string; message: string } | undefined {
  if (SAFE_METHODS.has(ctx.method)) return undefined;
  const origin = ctx.get('origin');
  // Our own origin from the request line and Host (koa 3's ctx.origin echoes the Origin header, so it cannot be used).
  if (origin && origin !== `${ctx.protocol}://${ctx.host}`)
    return { status: 403, error: 'ORIGIN_FORBIDDEN', message: 'state-changing requests must come from this origin' };
  const site = ctx.get('sec-fetch-site');
  if (site && site !== 'same-origin' && site !== 'none') return { status: 403, error: 'ORIGIN_FORBIDDEN', message: `Sec-Fetch-Site ${site} is not allowed` };
  const hasBody = Number(ctx.get('content-length') || 0) > 0 || ctx.get('transfer-encoding') !== '';
  if (hasBody && !ctx.is('application/json')) return { status: 415, error: 'JSON_REQUIRED', message: 'send a JSON body (Content-Type: application/json)' };
  return undefined;
}

/**
 * Wrong admin tokens, per client: each is logged (never the token) and counted; a client with `maxFailures` wrong
 * tokens within `windowMs` is answered 429 ADMIN_THROTTLED — right token or not, so guessing learns nothing — until
 * the window has passed. The client is the address the nearest proxy saw (the last X-Forwarded-For entry), or the
 * socket's. Where no proxy stands in front, a caller can write that header itself, so every client together also has
 * a budget (ten clients' worth): past it, every admin request waits out the window. One per process.
 */
export class AdminAttempts {
  private readonly failures = new Map<string, number[]>();
  private all: number[] = [];

  constructor(
    private readonly opts: {
      log?: Logger;
      onRefused?: (reason: 'UNAUTHORIZED' | 'ADMIN_THROTTLED') => void;
      maxFailures?: number;
      windowMs?: number;
      now?: () => number;
    } = {},
  ) {}

  private get windowMs() {
    return this.opts.windowMs ?? 60_000;
  }

  private now() {
    return (this.opts.now ?? Date.now)();
  }

  static clientOf(ctx: Context): string {
    return ctx.request.ips.at(-1) || ctx.socket.remoteAddress || 'unknown';
  }

  /** How long this client must wait, in ms (0: it may try). */
  blockedFor(client: string): number {
    const now = this.now();
    const max = this.opts.maxFailures ?? 10;
    this.all = this.all.filter((t) => now - t < this.windowMs);
    const recent = (this.failures.get(client) ?? []).filter((t) => now - t < this.windowMs);
    const waits = [recent.length >= max ? this.windowMs - (now - (recent[0] as number)) : 0];
    if (this.all.length >= max * 10) waits.push(this.windowMs - (now - (this.all[0] as number)));
    return Math.max(...waits);
  }

  failed(ctx: Context, client: string): void {
    const now = this.now();
    const recent = (this.failures.get(client) ?? []).filter((t) => now - t < this.windowMs);
    recent.push(now);
    this.all.push(now);
    this.failures.delete(client);
    this.failures.set(client, recent);
    // Bounded: the oldest clients go first.
    while (this.failures.size > 10_000) this.failures.delete(this.failures.keys().next().value as string);
    this.opts.onRefused?.('UNAUTHORIZED');
    this.opts.log?.warn({ reason: 'admin.unauthorized', client, path: ctx.path, failures: recent.length }, 'admin request with a wrong or missing token');
  }

  throttled(ctx: Context, client: string): void {
    this.opts.onRefused?.('ADMIN_THROTTLED');
    this.opts.log?.warn({ reason: 'admin.throttled', client, path: ctx.path }, 'admin requests throttled after wrong tokens');
  }
}

/**
 * `Authorization: Bearer $ADMIN_TOKEN` (or, for reading only, HTTP Basic with it as the password, for browsers),
 * compared in constant time; 401 otherwise. State-changing requests also pass crossSiteRefusal and need the Bearer
 * form (401 BEARER_REQUIRED with Basic). `browser`: the 401 asks for Basic, so a browser prompts (the queue dashboard,
 * which is read-only).
 */
export function requireAdmin(adminToken: string, opts: { browser?: boolean; attempts?: AdminAttempts } = {}): Middleware {
  const expected = digest(adminToken);
  const attempts = opts.attempts ?? new AdminAttempts();
  return async (ctx, next) => {
    const cross = crossSiteRefusal(ctx);
    if (cross) return refuse(ctx, cross.status, cross.error, cross.message);
    const client = AdminAttempts.clientOf(ctx);
    const wait = attempts.blockedFor(client);
    if (wait > 0) {
      attempts.throttled(ctx, client);
      ctx.set('Retry-After', String(Math.ceil(wait / 1000)));
      return refuse(ctx, 429, 'ADMIN_THROTTLED', 'too many wrong admin tokens from this client; try again later');
    }
    const p = presented(ctx.get('authorization'));
    if (p === undefined || !timingSafeEqual(digest(p.secret), expected)) {
      // A request with no credentials at all is a browser's first try (it then prompts): not counted as a guess.
      if (p !== undefined) attempts.failed(ctx, client);
      ctx.set('WWW-Authenticate', opts.browser ? 'Basic realm="wecom-followup admin", charset="UTF-8"' : 'Bearer');
      return refuse(ctx, 401, 'UNAUTHORIZED', 'Authorization: Bearer <ADMIN_TOKEN> required');
    }
    if (p.scheme === 'basic' && !SAFE_METHODS.has(ctx.method)) {
      ctx.set('WWW-Authenticate', 'Bearer');
      return refuse(ctx, 401, 'BEARER_REQUIRED', 'state-changing requests need Authorization: Bearer <ADMIN_TOKEN>; Basic is for reading in a browser');
    }
    await next();
  };
}
