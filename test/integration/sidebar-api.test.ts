/**
 * The sidebar's server side on a real Redis and the sandbox: the JS-SDK tickets (twenty processes asking at once cause
 * one get_jsapi_ticket and one ticket/get; a refused access token is refreshed once; a cached ticket is shared), the
 * signature as WeCom documents it (its test vector), and the guard on every call (a rep reads only their own lead; a
 * state change needs the session's CSRF token and the same origin; only this origin's sidebar is signed; a double tap
 * does it once; a customer's markup comes back as data, never as markup of ours).
 */
import { newLead } from '../../src/domain/lead';
import { startWeb, type WebHandle } from '../../src/main/web';
import { createJsApiTickets, createWeComApi } from '../../src/main/wecom-api';
import { systemClock } from '../../src/app/system-clock';
import { LedgerStore } from '../../src/store/ledger-store';
import { createRedis } from '../../src/store/redis';
import { jsapiSignature } from '../../src/wecom/jsapi-signature';
import { captureLogger, cleanupRedis, freePort, REDIS_URL, testConfig, uniquePrefix, VECTOR_A } from '../helpers/config';
import { startSandbox } from '../helpers/sandbox';
import type { Config } from '../../src/config/env';

const prefix = uniquePrefix('sidebar-api');
let sb: Awaited<ReturnType<typeof startSandbox>>;
let web: WebHandle;
let base: string;
let config: Config;

beforeAll(async () => {
  sb = await startSandbox({ corpId: VECTOR_A.corpId, secret: 'test-secret', agentId: 218 });
  sb.sandbox.addUser({ userid: 'zhangsan', name: '张三' }).addUser({ userid: 'lisi', name: '李四' });
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  config = testConfig(prefix, { WECOM_API_BASE: sb.url, WECOM_OAUTH_BASE: sb.url, WECOM_SSO_BASE: sb.url, PUBLIC_URL: base });
  const redis = createRedis(REDIS_URL, 'general');
  const now = Date.now();
  await new LedgerStore(redis, prefix).bulkLoad([
    { lead: newLead({ id: 'woSIDEAPI0001', name: '<img src=x onerror=alert(1)>', owner: 'zhangsan', source: 'web', createdAt: now }), entries: [] },
    { lead: newLead({ id: 'woSIDEAPI0002', name: '刘洋', company: '深圳某物流', owner: 'lisi', source: 'web', createdAt: now }), entries: [] },
  ]);
  redis.disconnect();
  web = await startWeb(config, captureLogger('silent').log, { port });
});
afterAll(async () => {
  await web.close();
  await sb.sandbox.close();
  await cleanupRedis(prefix);
});

test("the signature matches WeCom's documented test vector", () => {
  expect(
    jsapiSignature({
      ticket: 'sM4AOVdWfPE4DxkXGEs8VMCPGGVi4C3VM0P37wVUCFvkVAy_90u5h9nbSlYy3-Sl-HhTdfl2fzFy1AOcHKP7qg',
      nonceStr: 'Wm3WZYTPz0wzccnW',
      timestamp: 1414587457,
      url: 'http://mp.weixin.qq.com?params=value#fragment',
    }),
  ).toBe('0f9de62fce790f9a083d5c99e95740ceb90c27ed');
});

test('twenty processes at once: one get_jsapi_ticket, one ticket/get; a refused access token is refreshed once', async () => {
  const p = uniquePrefix('sidebar-tickets');
  const count = (api: string) => sb.sandbox.calls.filter((c) => c.api === api && c.errcode === 0).length;
  const before = { corp: count('get_jsapi_ticket'), agent: count('ticket/get') };
  // Twenty processes: each its own Redis connection, API client and ticket caches, on one prefix.
  const cfg = testConfig(p, { WECOM_API_BASE: sb.url });
  const redises = Array.from({ length: 20 }, () => createRedis(REDIS_URL, 'general'));
  const tickets = redises.map((r) => createJsApiTickets(cfg, r, createWeComApi(cfg, r, systemClock, captureLogger('silent').log), systemClock));
  const got = await Promise.all(tickets.flatMap((t) => [t.corp(), t.agent()]));
  expect(new Set(got.filter((_, i) => i % 2 === 0)).size).toBe(1);
  expect(new Set(got.filter((_, i) => i % 2 === 1)).size).toBe(1);
  expect(count('get_jsapi_ticket') - before.corp).toBe(1);
  expect(count('ticket/get') - before.agent).toBe(1);
  // Asked again: from the cache, no call.
  await Promise.all(tickets.map((t) => t.corp()));
  expect(count('get_jsapi_ticket') - before.corp).toBe(1);

  // The access token is refused (42001) when the next ticket is fetched: refreshed once, the ticket fetched.
  const p2 = uniquePrefix('sidebar-tickets2');
  const cfg2 = testConfig(p2, { WECOM_API_BASE: sb.url });
  const r2 = createRedis(REDIS_URL, 'general');
  const api2 = createWeComApi(cfg2, r2, systemClock, captureLogger('silent').log);
  await api2.getUser('zhangsan');
  sb.sandbox.expireTokens();
  const tokensBefore = count('gettoken');
  const ticket = await createJsApiTickets(cfg2, r2, api2, systemClock).agent();
  expect(sb.sandbox.tickets.agent.has(ticket)).toBe(true);
  expect(count('gettoken') - tokensBefore).toBe(1);
  for (const r of [...redises, r2]) r.disconnect();
  await cleanupRedis(p);
  await cleanupRedis(p2);
});

/** Signed in as a member (the sandbox's sign-in), with the session cookie and its CSRF token. */
async function signIn(userid: string): Promise<{ cookie: string; csrf: string }> {
  const cookieOf = (res: Response, name: string) =>
    res.headers
      .getSetCookie()
      .find((c) => c.startsWith(`${name}=`))
      ?.split(';')[0] as string;
  const login = await fetch(`${base}/auth/login?next=/sidebar`, { redirect: 'manual' });
  const page = await (await fetch(login.headers.get('location') as string)).text();
  const href = new RegExp(`href="([^"]*userid=${userid}[^"]*)"`).exec(page)?.[1]?.replace(/&#38;/g, '&') as string;
  const picked = await fetch(`${sb.url}${href}`, { redirect: 'manual' });
  const back = await fetch(picked.headers.get('location') as string, { redirect: 'manual', headers: { cookie: cookieOf(login, 'wf_login') } });
  const cookie = cookieOf(back, 'wf_session');
  const me = (await (await fetch(`${base}/api/board/me`, { headers: { cookie } })).json()) as { csrfToken: string };
  return { cookie, csrf: me.csrfToken };
}

test("a rep reads their own lead, a colleague's only by owner; markup in a name is data", async () => {
  const { cookie } = await signIn('zhangsan');
  const mine = (await (await fetch(`${base}/api/sidebar/contacts/woSIDEAPI0001`, { headers: { cookie } })).json()) as Record<string, unknown>;
  expect(mine).toMatchObject({
    kind: 'lead',
    lead: { id: 'woSIDEAPI0001', name: '<img src=x onerror=alert(1)>' },
    nextText: expect.stringContaining('先定位'),
  });
  const theirs = (await (await fetch(`${base}/api/sidebar/contacts/woSIDEAPI0002`, { headers: { cookie } })).json()) as Record<string, unknown>;
  expect(theirs).toEqual({ kind: 'other_owner', ownerName: '李四' });
  expect(JSON.stringify(theirs)).not.toContain('刘洋');
  // The page itself never carries a lead's words: it is a shell, filled in with textContent.
  const html = await (await fetch(`${base}/sidebar`, { headers: { cookie } })).text();
  expect(html).not.toContain('<img src=x');
  expect(html).not.toMatch(/<script>(?!<\/script>)/);
});

test('state changes need the CSRF token and the same origin; only this origin is signed; a double tap does it once', async () => {
  const { cookie, csrf } = await signIn('zhangsan');
  const post = (body: unknown, headers: Record<string, string>) =>
    fetch(`${base}/api/sidebar/leads/woSIDEAPI0001/actions`, {
      method: 'POST',
      body: JSON.stringify(body),
      headers: { cookie, 'content-type': 'application/json', ...headers },
    });
  const call = { action: 'call', minutes: 15 };
  expect((await post(call, { origin: base })).status).toBe(403);
  expect((await post(call, { origin: 'https://evil.example', 'x-csrf-token': csrf })).status).toBe(403);
  expect((await post({ action: 'call', minutes: 0 }, { origin: base, 'x-csrf-token': csrf })).status).toBe(400);
  expect((await post({ action: 'meeting', startsAt: '2020-01-01T10:00' }, { origin: base, 'x-csrf-token': csrf })).status).toBe(400);
  const ok = { origin: base, 'x-csrf-token': csrf, 'idempotency-key': 'tap-0000000001' };
  const first = await post(call, ok);
  expect(first.status).toBe(200);
  expect(((await first.json()) as { text: string }).text).toContain('已记录：与');
  expect((await post(call, ok)).status).toBe(200);
  const timeline = (await (await fetch(`${base}/api/leads/woSIDEAPI0001`, { headers: { authorization: `Bearer ${config.adminToken}` } })).json()) as {
    timeline: { kind: string; source: string }[];
  };
  expect(timeline.timeline.filter((e) => e.kind === 'call' && e.source === 'sidebar')).toHaveLength(1);
  // A colleague's lead: refused, whatever the token.
  const theirs = await fetch(`${base}/api/sidebar/leads/woSIDEAPI0002/actions`, {
    method: 'POST',
    body: JSON.stringify(call),
    headers: { cookie, 'content-type': 'application/json', origin: base, 'x-csrf-token': csrf },
  });
  expect(theirs.status).toBe(403);
  // Signatures: for this origin's sidebar only.
  expect((await fetch(`${base}/api/sidebar/signatures?url=${encodeURIComponent('https://evil.example/x')}`, { headers: { cookie } })).status).toBe(400);
  const sig = (await (await fetch(`${base}/api/sidebar/signatures?url=${encodeURIComponent(`${base}/sidebar`)}`, { headers: { cookie } })).json()) as {
    agentConfig: { timestamp: number; nonceStr: string; signature: string };
  };
  expect(sb.sandbox.verifyJsSignature('agent', { url: `${base}/sidebar`, ...sig.agentConfig })).toBe(true);
  expect(sb.sandbox.verifyJsSignature('corp', { url: `${base}/sidebar`, ...sig.agentConfig })).toBe(false);
  // Signed out: nothing.
  expect((await fetch(`${base}/api/sidebar/contacts/woSIDEAPI0001`)).status).toBe(401);
});
