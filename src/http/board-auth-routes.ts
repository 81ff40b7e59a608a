import { createHash, timingSafeEqual } from 'node:crypto';
import type Router from '@koa/router';
import type { Context, Middleware } from 'koa';
import type { BoardSession, BoardSignIn, BoardViewers, Viewer } from '../app/ports';
import type { Logger } from '../log';

const SESSION_COOKIE = 'wf_session';
const LOGIN_COOKIE = 'wf_login';

export interface BoardHttpSettings {
  /** The board's origin; state-changing requests must come from it. */
  publicUrl: string;
  oauthBase: string;
  ssoBase: string;
  idleMs: number;
  /** The sandbox's stand-in for the WeCom client's JS bridge (trying the sidebar in a desktop browser); never in production. */
  clientBridge?: string;
}

/** The viewer of a request that passed requireBoardSession. */
export interface BoardState {
  session: BoardSession;
  viewer: Viewer;
}

/** One Set-Cookie header: HttpOnly, SameSite=Lax, Secure when the board is served over TLS, path /. */
function setCookie(ctx: Context, name: string, value: string, s: BoardHttpSettings, maxAgeSeconds: number): void {
  const secure = s.publicUrl.startsWith('https://');
  // One Set-Cookie per name: a later one on the same response (sign-out after the renewal) replaces the earlier.
  const earlier = ([] as string[])
    .concat((ctx.response.get('Set-Cookie') as string | string[] | undefined) ?? [])
    .filter((c) => c && !c.startsWith(`${name}=`));
  ctx.set('Set-Cookie', [...earlier, `${name}=${value}; Path=/; HttpOnly; SameSite=Lax; Max-Age=${maxAgeSeconds}${secure ? '; Secure' : ''}`]);
}

/**
 * The session cookie, set at sign-in and again on every request the session serves: its Max-Age (the idle timeout)
 * runs from the last request, as the session's own idle timeout does, so a member working all day is not signed out
 * by the browser while the session lives.
 */
export function setSessionCookie(ctx: Context, sessionId: string, s: BoardHttpSettings): void {
  setCookie(ctx, SESSION_COOKIE, sessionId, s, Math.round(s.idleMs / 1000));
}

function refuse(ctx: Context, status: number, error: string, message: string): void {
  ctx.status = status;
  ctx.body = { error, message };
}

/**
 * Security headers for the board's pages and API: a CSP without inline script, framing only by this origin (WeCom's
 * client opens the board as a page of its own, not in a frame), no MIME sniffing, no referrer to other sites.
 */
export function boardSecurityHeaders(s: BoardHttpSettings): Middleware {
  const csp = [
    "default-src 'self'",
    `script-src 'self'${s.clientBridge ? ` ${new URL(s.clientBridge).origin}` : ''}`,
    "style-src 'self'",
    "img-src 'self' data:",
    `connect-src 'self'${s.clientBridge ? ` ${new URL(s.clientBridge).origin}` : ''}`,
    "frame-ancestors 'self'",
    "base-uri 'none'",
    `form-action 'self' ${new URL(s.oauthBase).origin} ${new URL(s.ssoBase).origin}`,
  ].join('; ');
  return async (ctx, next) => {
    // Not the board's: straight through (the webhook's path pays nothing here).
    const p = ctx.path;
    if (!p.startsWith('/board') && !p.startsWith('/auth/') && !p.startsWith('/api/board') && !p.startsWith('/sidebar') && !p.startsWith('/api/sidebar'))
      return next();
    await next();
    ctx.set('Content-Security-Policy', csp);
    ctx.set('X-Frame-Options', 'SAMEORIGIN');
    ctx.set('X-Content-Type-Options', 'nosniff');
    ctx.set('Referrer-Policy', 'same-origin');
    ctx.set('Cache-Control', 'no-store');
  };
}

const originOf = (url: string) => {
  try {
    return url ? new URL(url).origin : '';
  } catch {
    return '';
  }
};

const digest = (v: string) => createHash('sha256').update(v).digest();

/**
 * A state-changing board request must come from the board's own origin (Origin, or Referer when a browser sends no
 * Origin) and carry the session's CSRF token in `X-CSRF-Token`.
 */
function csrfRefusal(ctx: Context, session: BoardSession, s: BoardHttpSettings): { error: string; message: string } | undefined {
  if (ctx.method === 'GET' || ctx.method === 'HEAD' || ctx.method === 'OPTIONS') return undefined;
  const origin = ctx.get('origin') || originOf(ctx.get('referer'));
  if (origin !== new URL(s.publicUrl).origin) return { error: 'ORIGIN_FORBIDDEN', message: 'state-changing requests must come from the board itself' };
  const presented = ctx.get('x-csrf-token');
  if (!presented || !timingSafeEqual(digest(presented), digest(session.csrf))) return { error: 'CSRF_TOKEN_INVALID', message: 'X-CSRF-Token missing or wrong' };
  return undefined;
}

/** The board's session guard: 401 without a live session, 403 on a cross-site or token-less state change. */
export function requireBoardSession(auth: BoardSignIn, viewers: BoardViewers, s: BoardHttpSettings): Middleware {
  return async (ctx, next) => {
    const session = await auth.session(ctx.cookies.get(SESSION_COOKIE));
    if (!session) return refuse(ctx, 401, 'SIGN_IN_REQUIRED', '请先用企业微信登录（/auth/login）');
    const refusal = csrfRefusal(ctx, session, s);
    if (refusal) return refuse(ctx, 403, refusal.error, refusal.message);
    const viewer = await viewers.viewer(session.userId);
    // A member who left or was disabled in WeCom is signed out at their next request, whatever the session's age.
    if (!viewer) {
      await auth.logout(session.id);
      setCookie(ctx, SESSION_COOKIE, '', s, 0);
      return refuse(ctx, 401, 'SIGN_IN_REQUIRED', '你的企业微信账号已不在本企业，请联系管理员');
    }
    const state: BoardState = { session, viewer };
    ctx.state.board = state;
    setSessionCookie(ctx, session.id, s);
    await next();
  };
}

/**
 * Sign-in with WeCom and sign-out: GET /auth/login?next=/board/… → WeCom (OAuth inside the WeCom client, QR login in a
 * desktop browser) → GET /auth/callback?code&state → a session cookie and back to `next`; POST /auth/logout (same
 * origin, CSRF token). GET /api/board/me says who is signed in, their role, and the CSRF token the pages send.
 */
export function mountBoardAuthRoutes(router: Router, deps: { auth: BoardSignIn; session: Middleware; settings: BoardHttpSettings; log: Logger }): void {
  const { auth, settings: s, session } = deps;

  router.get('/auth/login', async (ctx) => {
    const inWeCom = /wxwork/i.test(ctx.get('user-agent'));
    const next = typeof ctx.query.next === 'string' ? ctx.query.next : undefined;
    const { location, loginCookie } = await auth.startLogin(next, inWeCom);
    setCookie(ctx, LOGIN_COOKIE, loginCookie, s, 600);
    ctx.redirect(location);
  });

  router.get('/auth/callback', async (ctx) => {
    const q = ctx.query as Record<string, string | undefined>;
    const result = await auth.finishLogin({ code: q.code, state: q.state, loginCookie: ctx.cookies.get(LOGIN_COOKIE) });
    setCookie(ctx, LOGIN_COOKIE, '', s, 0);
    if (!result.ok) {
      deps.log.warn({ reason: `board.${result.refusal.toLowerCase()}` }, 'board sign-in refused');
      ctx.status = result.refusal === 'LOGIN_STATE_INVALID' ? 400 : 401;
      ctx.type = 'html';
      ctx.body = `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>登录没有完成</title></head><body><main><h1>登录没有完成</h1><p>${
        result.refusal === 'LOGIN_STATE_INVALID' ? '登录链接已过期或不是从本页面发起的。' : '企业微信没有确认你的身份（授权码无效或已使用）。'
      }</p><p><a href="/auth/login">重新登录</a></p><p>错误码：${result.refusal}</p></main></body></html>`;
      return;
    }
    setSessionCookie(ctx, result.session.id, s);
    ctx.redirect(result.next);
  });

  router.post('/auth/logout', session, async (ctx) => {
    await auth.logout((ctx.state.board as BoardState).session.id);
    setCookie(ctx, SESSION_COOKIE, '', s, 0);
    ctx.status = 204;
  });

  router.get('/auth/signed-out', (ctx) => {
    ctx.type = 'html';
    ctx.body =
      '<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>已退出登录</title><link rel="stylesheet" href="/board/assets/board.css"></head><body><main><h1>你已退出登录</h1><p><a href="/auth/login">用企业微信重新登录</a></p></main></body></html>';
  });

  router.get('/api/board/me', session, async (ctx) => {
    const { session: sess, viewer } = ctx.state.board as BoardState;
    ctx.body = { userId: viewer.userId, role: viewer.role, reps: viewer.reps, csrfToken: sess.csrf };
  });
}
