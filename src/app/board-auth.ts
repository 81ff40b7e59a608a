import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Clock } from '../domain/clock';
import type { Logger } from '../log';
import type { BoardSession, BoardSignIn, MemberAuth, SessionStore } from './ports';

export interface BoardAuthSettings {
  corpId: string;
  agentId: number;
  /** The board's origin (https://followup.example.com): WeCom sends members back to `${publicUrl}/auth/callback`. */
  publicUrl: string;
  oauthBase: string;
  ssoBase: string;
  idleMs: number;
  maxAgeMs: number;
  /** The key the login cookie is signed with: the same on every web process (src/main derives it from the app's secrets). */
  loginKey: string;
}

/** A sign-in that did not open a session, with its stable code. */
export type LoginRefusal = 'LOGIN_STATE_INVALID' | 'LOGIN_CODE_INVALID';

/** How long a member has between /auth/login and WeCom sending them back (WeCom's code itself lasts 5 minutes). */
const LOGIN_TTL_MS = 10 * 60_000;

const token = (bytes: number) => randomBytes(bytes).toString('base64url');

/**
 * Signing in to the board with WeCom (docs/wecom-protocol.md §11.1). /auth/login makes a `state` bound to this
 * browser — a short-lived HttpOnly cookie that carries the state, its expiry and where to go, signed with HMAC, so a
 * sign-in not yet finished costs no write anywhere (anyone may call /auth/login) — and sends the member to WeCom: the in-client OAuth page
 * (snsapi_base) inside the WeCom client, the QR login (login_type=CorpApp) in a desktop browser. /auth/callback takes
 * checks the cookie's signature, expiry and state (no login CSRF; the cookie is cleared at once), redeems the code with auth/getuserinfo and opens a new session
 * (a new id at every sign-in; idle timeout and maximum age on the business clock). Sign-out deletes it.
 */
export class BoardAuth implements BoardSignIn {
  constructor(private readonly d: { sessions: SessionStore; members: MemberAuth; clock: Clock; settings: BoardAuthSettings; log: Logger }) {}

  /** Where /auth/login sends the member, and the signed login cookie. `next` is a path on the board. */
  async startLogin(next: string | undefined, inWeComClient: boolean): Promise<{ location: string; loginCookie: string }> {
    const s = this.d.settings;
    const state = token(24).replace(/[^A-Za-z0-9]/g, 'x'); // WeCom: a-zA-Z0-9, ≤ 128 bytes
    const payload = `${state}.${this.d.clock.now() + LOGIN_TTL_MS}.${Buffer.from(safeNext(next)).toString('base64url')}`;
    const loginCookie = `${payload}.${this.sign(payload)}`;
    const redirect = `${s.publicUrl}/auth/callback`;
    const location = inWeComClient
      ? `${s.oauthBase}/connect/oauth2/authorize?${new URLSearchParams({ appid: s.corpId, redirect_uri: redirect, response_type: 'code', scope: 'snsapi_base', state, agentid: String(s.agentId) }).toString()}#wechat_redirect`
      : `${s.ssoBase}/wwlogin/sso/login?${new URLSearchParams({ login_type: 'CorpApp', appid: s.corpId, agentid: String(s.agentId), redirect_uri: redirect, state, lang: 'zh' }).toString()}`;
    return { location, loginCookie };
  }

  private sign(payload: string): string {
    return createHmac('sha256', this.d.settings.loginKey).update(`board-login:${payload}`).digest('base64url');
  }

  /** The login cookie's `next`, when its signature holds, it has not expired and it was made for `state`. */
  private openLoginCookie(cookie: string | undefined, state: string | undefined): string | undefined {
    const parts = (cookie ?? '').split('.');
    if (parts.length !== 4 || !state) return undefined;
    const [st, expires, next, mac] = parts as [string, string, string, string];
    const want = Buffer.from(this.sign(`${st}.${expires}.${next}`));
    const got = Buffer.from(mac);
    if (got.length !== want.length || !timingSafeEqual(got, want)) return undefined;
    if (st !== state || !(Number(expires) > this.d.clock.now())) return undefined;
    return safeNext(Buffer.from(next, 'base64url').toString('utf8'));
  }

  /** WeCom sent the member back: a session and where to go, or why not. */
  async finishLogin(q: {
    code?: string;
    state?: string;
    loginCookie?: string;
  }): Promise<{ ok: true; session: BoardSession; next: string } | { ok: false; refusal: LoginRefusal }> {
    const next = this.openLoginCookie(q.loginCookie, q.state);
    if (next === undefined) return { ok: false, refusal: 'LOGIN_STATE_INVALID' };
    const userId = q.code ? await this.d.members.memberForCode(q.code) : undefined;
    if (!userId) return { ok: false, refusal: 'LOGIN_CODE_INVALID' };
    const now = this.d.clock.now();
    const session: BoardSession = { id: token(32), userId, csrf: token(24), createdAt: now, lastSeenAt: now };
    await this.d.sessions.createSession(session, this.d.settings.idleMs);
    this.d.log.info({ reason: 'board.signed_in', userId }, 'board sign-in');
    return { ok: true, session, next };
  }

  /** The live session with this id (and it is kept alive), or undefined when there is none, it idled out or is too old. */
  async session(id: string | undefined): Promise<BoardSession | undefined> {
    if (!id) return undefined;
    const s = await this.d.sessions.getSession(id);
    if (!s) return undefined;
    const now = this.d.clock.now();
    if (now - s.lastSeenAt > this.d.settings.idleMs || now - s.createdAt > this.d.settings.maxAgeMs) {
      await this.d.sessions.deleteSession(id);
      return undefined;
    }
    if (now - s.lastSeenAt > 60_000) await this.d.sessions.touchSession({ ...s, lastSeenAt: now }, this.d.settings.idleMs);
    return s;
  }

  async logout(id: string): Promise<void> {
    await this.d.sessions.deleteSession(id);
  }
}

/** Only a path on this site (`/board…`), never another origin (`//evil`, `https://…`): no open redirect. */
export function safeNext(next: string | undefined): string {
  if (!next || !next.startsWith('/') || next.startsWith('//') || next.startsWith('/\\') || /[\r\n]/.test(next)) return '/board';
  return next.length > MAX_NEXT_CHARS ? '/board' : next;
}

/** The longest page address kept through sign-in (a board path with its filters). */
const MAX_NEXT_CHARS = 300;
