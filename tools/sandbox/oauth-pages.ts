import { randomBytes } from 'node:crypto';
import Router from '@koa/router';
import type Koa from 'koa';

/** What the sign-in pages need from the sandbox: the corp, the app, its members, its clock. */
export interface OAuthSandboxHost {
  readonly opts: { corpId: string; agentId: number; clock?: () => number };
  readonly users: Map<string, { userid: string; name: string }>;
}

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/**
 * WeCom's member sign-in, as the sandbox serves it (docs/wecom-protocol.md §11.1): the in-client OAuth page
 * (`/connect/oauth2/authorize`, snsapi_base) and the desktop QR login (`/wwlogin/sso/login`, login_type=CorpApp) both
 * show the corp's members to pick from (standing in for WeCom knowing who is signed in, or who scanned); the pick
 * redirects to `redirect_uri?code=…&state=…`. A code is single use and lasts 5 minutes; `auth/getuserinfo` redeems it
 * (40029 otherwise). Wrong appid, agentid or response_type are refused as WeCom would.
 */
export class OAuthPages {
  private readonly codes = new Map<string, { userid: string; expiresAt: number }>();

  constructor(private readonly host: OAuthSandboxHost) {}

  private now() {
    return (this.host.opts.clock ?? Date.now)();
  }

  /** auth/getuserinfo: the member behind a code, once. */
  redeem(code: string): Record<string, unknown> {
    const c = this.codes.get(code);
    this.codes.delete(code);
    if (!c || c.expiresAt <= this.now()) return { errcode: 40029, errmsg: 'invalid code' };
    return { errcode: 0, errmsg: 'ok', userid: c.userid };
  }

  /** A code for a member, as if they had signed in (tests that skip the page). */
  issue(userid: string): string {
    const code = randomBytes(16).toString('hex');
    this.codes.set(code, { userid, expiresAt: this.now() + 5 * 60_000 });
    return code;
  }

  routes(): ReturnType<Router['routes']> {
    const r = new Router();
    const page = (kind: 'oauth' | 'sso') => (ctx: Koa.Context) => {
      const q = ctx.query as Record<string, string | undefined>;
      const problem =
        q.appid !== this.host.opts.corpId
          ? 'appid 不是本企业的 CorpID'
          : kind === 'oauth' && q.response_type !== 'code'
            ? 'response_type 必须是 code'
            : kind === 'sso' && q.login_type !== 'CorpApp'
              ? 'login_type 必须是 CorpApp'
              : kind === 'sso' && q.agentid !== String(this.host.opts.agentId)
                ? 'agentid 不对'
                : !q.redirect_uri || !/^https?:\/\//.test(q.redirect_uri)
                  ? 'redirect_uri 无效'
                  : undefined;
      ctx.type = 'html';
      if (problem) {
        ctx.status = 400;
        ctx.body = `<!doctype html><html lang="zh-CN"><meta charset="utf-8"><title>参数错误</title><p>${esc(problem)}</p></html>`;
        return;
      }
      const members = [...this.host.users.values()];
      const pick = (u: { userid: string }) =>
        `/sandbox/oauth/pick?${new URLSearchParams({ userid: u.userid, redirect_uri: q.redirect_uri ?? '', state: q.state ?? '' }).toString()}`;
      ctx.body = `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>${kind === 'oauth' ? '企业微信授权' : '企业微信扫码登录'}（沙箱）</title></head><body><main>
<h1>${kind === 'oauth' ? '企业微信授权' : '企业微信扫码登录'}（沙箱）</h1>
<p>选择以哪位成员身份登录：</p>
<ul>${members.map((u) => `<li><a href="${esc(pick(u))}">${esc(u.name)}（${esc(u.userid)}）</a></li>`).join('')}</ul>
</main></body></html>`;
    };
    r.get('/connect/oauth2/authorize', page('oauth'));
    r.get('/wwlogin/sso/login', page('sso'));
    r.get('/sandbox/oauth/pick', (ctx) => {
      const q = ctx.query as Record<string, string | undefined>;
      if (!q.userid || !this.host.users.has(q.userid) || !q.redirect_uri) {
        ctx.status = 400;
        ctx.body = 'unknown member';
        return;
      }
      const to = new URL(q.redirect_uri);
      to.searchParams.set('code', this.issue(q.userid));
      to.searchParams.set('state', q.state ?? '');
      ctx.redirect(to.toString());
    });
    return r.routes();
  }
}
