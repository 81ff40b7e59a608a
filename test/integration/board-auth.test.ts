/**
 * Signing in to the manager's board with WeCom (sign-in and roles), on a real Redis against the sandbox's OAuth
 * and QR-login pages: the redirect to WeCom (QR login in a desktop browser, OAuth inside the WeCom client), the
 * callback with its state bound to the browser, a session cookie (HttpOnly, SameSite=Lax, a new id per sign-in), roles
 * from direct_leader, configured teams and admins, CSRF and same-origin on sign-out, idle timeout, no open redirect;
 * the lead page's JSON and the manager's actions (提醒他, 我来跟) with their role rules.
 */
import { newLead } from '../../src/domain/lead';
import { ManualClock } from '../../src/domain/clock';
import { startWeb, type WebHandle } from '../../src/main/web';
import { startWorker, type WorkerHandle } from '../../src/main/worker';
import { LedgerStore } from '../../src/store/ledger-store';
import { createRedis } from '../../src/store/redis';
import { captureLogger, cleanupRedis, REDIS_URL, testConfig, uniquePrefix, VECTOR_A, waitFor, freePort } from '../helpers/config';
import { startSandbox } from '../helpers/sandbox';

const clock = new ManualClock(Date.now());
let web: WebHandle;
let worker: WorkerHandle;
let base: string;
let sb: Awaited<ReturnType<typeof startSandbox>>;
const prefix = uniquePrefix('board-auth');

beforeAll(async () => {
  sb = await startSandbox({ corpId: VECTOR_A.corpId, secret: 'test-secret', agentId: 218, clock: () => clock.now() });
  sb.sandbox
    .addUser({ userid: 'wangwu', name: '王五' })
    .addUser({ userid: 'zhangsan', name: '张三', direct_leader: ['wangwu'] })
    .addUser({ userid: 'zhaoliu', name: '赵六', direct_leader: ['wangwu'] })
    .addUser({ userid: 'sunqi', name: '孙七', direct_leader: ['zhouba'] })
    .addUser({ userid: 'zhouba', name: '周八' })
    .addUser({ userid: 'boss', name: '老板' });
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  const config = testConfig(prefix, {
    WECOM_API_BASE: sb.url,
    WECOM_OAUTH_BASE: sb.url,
    WECOM_SSO_BASE: sb.url,
    PUBLIC_URL: base,
    BOARD_ADMINS: 'boss',
  });
  config.policy.board.teams = { zhouba: ['zhaoliu'] };
  const redis = createRedis(REDIS_URL, 'general');
  const store = new LedgerStore(redis, prefix);
  await store.bulkLoad(
    ['zhangsan', 'zhaoliu', 'sunqi'].map((owner, i) => ({
      lead: newLead({ id: `woBOARD00000${i}`, externalUserId: `woBOARD00000${i}`, name: `客户${i}`, owner, source: 'inquiry', createdAt: clock.now() }),
      entries: [],
    })),
  );
  redis.disconnect();
  web = await startWeb(config, captureLogger('silent').log, { port, clock });
  worker = await startWorker(config, captureLogger('silent').log, { clock, schedulers: false });
});
afterAll(async () => {
  await worker.close();
  await web.close();
  await sb.sandbox.close();
  await cleanupRedis(prefix);
});

const cookieOf = (res: Response, name: string) =>
  res.headers
    .getSetCookie()
    .find((c) => c.startsWith(`${name}=`))
    ?.split(';')[0];

/** The whole sign-in as a browser does it: our /auth/login → WeCom's page → pick the member → our callback. */
async function signIn(userid: string, opts: { ua?: string; next?: string } = {}) {
  const login = await fetch(`${base}/auth/login${opts.next ? `?next=${encodeURIComponent(opts.next)}` : ''}`, {
    redirect: 'manual',
    headers: { 'user-agent': opts.ua ?? 'Mozilla/5.0 Chrome/126' },
  });
  const loginCookie = cookieOf(login, 'wf_login') as string;
  const page = await (await fetch(login.headers.get('location') as string)).text();
  const href = new RegExp(`href="([^"]*userid=${userid}[^"]*)"`).exec(page)?.[1]?.replace(/&#38;/g, '&') as string;
  const picked = await fetch(`${sb.url}${href}`, { redirect: 'manual' });
  const callbackUrl = picked.headers.get('location') as string;
  const callback = await fetch(callbackUrl, { redirect: 'manual', headers: { cookie: loginCookie } });
  return { login, loginCookie, callbackUrl, callback, session: cookieOf(callback, 'wf_session') };
}

const me = (cookie?: string) => fetch(`${base}/api/board/me`, { headers: cookie ? { cookie } : {} });

test('a desktop browser goes to the QR login; inside the WeCom client, to the OAuth page', async () => {
  const desktop = await fetch(`${base}/auth/login`, { redirect: 'manual', headers: { 'user-agent': 'Mozilla/5.0 Chrome/126' } });
  expect(desktop.status).toBe(302);
  const to = new URL(desktop.headers.get('location') as string);
  expect(`${to.origin}${to.pathname}`).toBe(`${sb.url}/wwlogin/sso/login`);
  expect(Object.fromEntries(to.searchParams)).toMatchObject({
    login_type: 'CorpApp',
    appid: VECTOR_A.corpId,
    agentid: '218',
    redirect_uri: `${base}/auth/callback`,
  });
  expect(to.searchParams.get('state')).toMatch(/^[A-Za-z0-9]{20,128}$/);
  expect(desktop.headers.getSetCookie().find((c) => c.startsWith('wf_login='))).toMatch(/HttpOnly; SameSite=Lax; Max-Age=600$/);

  const inClient = await fetch(`${base}/auth/login`, { redirect: 'manual', headers: { 'user-agent': 'Mozilla/5.0 wxwork/4.1.22 MicroMessenger/7.0.1' } });
  const oauth = inClient.headers.get('location') as string;
  expect(oauth.startsWith(`${sb.url}/connect/oauth2/authorize?`)).toBe(true);
  expect(oauth.endsWith('#wechat_redirect')).toBe(true);
  expect(Object.fromEntries(new URL(oauth).searchParams)).toMatchObject({
    appid: VECTOR_A.corpId,
    response_type: 'code',
    scope: 'snsapi_base',
    agentid: '218',
  });
});

test('a manager signs in: a session cookie, back to where they were going, and their team from direct_leader', async () => {
  const s = await signIn('wangwu', { next: '/board/risks?state=price_check' });
  expect(s.callback.status).toBe(302);
  expect(s.callback.headers.get('location')).toBe('/board/risks?state=price_check');
  expect(s.callback.headers.getSetCookie().find((c) => c.startsWith('wf_session='))).toMatch(/HttpOnly; SameSite=Lax/);
  const res = await me(s.session);
  expect(res.status).toBe(200);
  expect(await res.json()).toMatchObject({ userId: 'wangwu', role: 'manager', reps: ['wangwu', 'zhangsan', 'zhaoliu'], csrfToken: expect.any(String) });
  expect(res.headers.get('content-security-policy')).toMatch(/script-src 'self'/);
  expect(res.headers.get('content-security-policy')).not.toMatch(/unsafe-inline/);
  expect(res.headers.get('x-frame-options')).toBe('SAMEORIGIN');
  // Each sign-in is a new session id.
  const again = await signIn('wangwu');
  expect(again.session).not.toBe(s.session);
});

test('roles: a rep sees only themselves, a configured team adds reps, an admin sees all', async () => {
  expect(await (await me((await signIn('zhangsan')).session)).json()).toMatchObject({ role: 'rep', reps: ['zhangsan'] });
  expect(await (await me((await signIn('zhouba')).session)).json()).toMatchObject({ role: 'manager', reps: ['zhouba', 'sunqi', 'zhaoliu'] });
  expect(await (await me((await signIn('boss')).session)).json()).toMatchObject({ role: 'admin', reps: 'all' });
});

test('refused sign-ins: a replayed callback, a callback without the browser’s cookie, a used code; no open redirect', async () => {
  const s = await signIn('wangwu');
  // The whole callback replayed with its cookie: WeCom's code is single use, so no second session.
  const replay = await fetch(s.callbackUrl, { redirect: 'manual', headers: { cookie: s.loginCookie } });
  expect(replay.status).toBe(401);
  expect(await replay.text()).toContain('LOGIN_CODE_INVALID');
  expect(cookieOf(replay, 'wf_session')).toBeUndefined();

  // Login CSRF: a callback link made in the attacker's browser, opened in the victim's (no wf_login cookie).
  const login = await fetch(`${base}/auth/login`, { redirect: 'manual' });
  const state = new URL(login.headers.get('location') as string).searchParams.get('state') as string;
  const code = sb.sandbox.oauth.issue('zhangsan');
  const forged = await fetch(`${base}/auth/callback?code=${code}&state=${state}`, { redirect: 'manual' });
  expect(forged.status).toBe(400);
  expect(cookieOf(forged, 'wf_session')).toBeUndefined();

  // A code WeCom will not redeem again (40029).
  const login2 = await fetch(`${base}/auth/login`, { redirect: 'manual' });
  const state2 = new URL(login2.headers.get('location') as string).searchParams.get('state') as string;
  const used = new URL(s.callbackUrl).searchParams.get('code') as string;
  const refused = await fetch(`${base}/auth/callback?code=${used}&state=${state2}`, {
    redirect: 'manual',
    headers: { cookie: cookieOf(login2, 'wf_login') as string },
  });
  expect(refused.status).toBe(401);
  expect(await refused.text()).toContain('LOGIN_CODE_INVALID');

  for (const next of ['//evil.example/x', 'https://evil.example/', '/\\evil.example']) {
    expect((await signIn('wangwu', { next })).callback.headers.get('location')).toBe('/board');
  }
});

test('/auth/login writes nothing: 300 unauthenticated logins leave Redis as it was; the state lives in a signed cookie', async () => {
  const redis = createRedis(REDIS_URL, 'general');
  const keys = async () => (await redis.keys(`${prefix}*`)).length;
  const before = await keys();
  await Promise.all(
    Array.from({ length: 300 }, () => fetch(`${base}/auth/login?next=${encodeURIComponent(`/board/${'x'.repeat(2000)}`)}`, { redirect: 'manual' })),
  );
  // Other work may add a few keys meanwhile (BullMQ's, the board's); 300 logins would add 300.
  expect((await keys()) - before).toBeLessThan(20);
  expect(await redis.keys(`${prefix}*login*`)).toEqual([]);
  redis.disconnect();
  // A `next` past the cap is not carried: the cookie stays small and sign-in goes to the board.
  const long = await fetch(`${base}/auth/login?next=${encodeURIComponent(`/board/${'x'.repeat(2000)}`)}`, { redirect: 'manual' });
  expect((cookieOf(long, 'wf_login') as string).length).toBeLessThan(200);
});

test('a tampered, expired or other-state login cookie is refused: 400 LOGIN_STATE_INVALID', async () => {
  const attempt = async (tamper: (cookie: string, state: string) => { cookie: string; state: string }, advanceMs = 0) => {
    const login = await fetch(`${base}/auth/login`, { redirect: 'manual' });
    const state = new URL(login.headers.get('location') as string).searchParams.get('state') as string;
    const t = tamper(cookieOf(login, 'wf_login') as string, state);
    clock.advance(advanceMs);
    const code = sb.sandbox.oauth.issue('zhangsan');
    const res = await fetch(`${base}/auth/callback?code=${code}&state=${t.state}`, { redirect: 'manual', headers: { cookie: t.cookie } });
    return [res.status, (await res.text()).includes('LOGIN_STATE_INVALID'), cookieOf(res, 'wf_session')];
  };
  const refused = [400, true, undefined];
  // Another page's address, signed by nobody.
  expect(
    await attempt((c, st) => ({ cookie: c.replace(/\.([^.]+)\.([^.]+)$/, `.${Buffer.from('//evil.example').toString('base64url')}.$2`), state: st })),
  ).toEqual(refused);
  // A later expiry.
  expect(await attempt((c, st) => ({ cookie: c.replace(/^([^.]+)\.(\d+)/, (_, a: string, e: string) => `${a}.${Number(e) + 3_600_000}`), state: st }))).toEqual(
    refused,
  );
  // The cookie of one sign-in with the state of another.
  expect(await attempt((c) => ({ cookie: c, state: 'otherstate0000000000000000000000' }))).toEqual(refused);
  // Past its ten minutes.
  expect(await attempt((c, st) => ({ cookie: c, state: st }), 11 * 60_000)).toEqual(refused);
  // Untouched, it works.
  expect((await attempt((c, st) => ({ cookie: c, state: st })))[0]).toBe(302);
});

test('sign-in keeps the page asked for with its query, encoded once', async () => {
  const page = await fetch(`${base}/board/risks?rep=${encodeURIComponent('zhangsan')}&state=price_check`, { redirect: 'manual' });
  const to = page.headers.get('location') as string;
  expect(to).toBe(`/auth/login?next=${encodeURIComponent('/board/risks?rep=zhangsan&state=price_check')}`);
  const s = await signIn('wangwu', { next: new URL(to, base).searchParams.get('next') as string });
  expect(s.callback.headers.get('location')).toBe('/board/risks?rep=zhangsan&state=price_check');
  const lead = await fetch(`${base}/board/leads/${encodeURIComponent('wo/a b')}`, { redirect: 'manual' });
  const next = new URL(lead.headers.get('location') as string, base).searchParams.get('next');
  expect(next).toBe('/board/leads/wo%2Fa%20b');
});

test('without a session: 401; sign-out needs the same origin and the CSRF token, then the session is gone', async () => {
  expect((await me()).status).toBe(401);
  expect(await (await me('wf_session=not-a-session-id-0000000000')).json()).toMatchObject({ error: 'SIGN_IN_REQUIRED' });
  const s = await signIn('wangwu');
  const { csrfToken } = (await (await me(s.session)).json()) as { csrfToken: string };
  const logout = (headers: Record<string, string>) => fetch(`${base}/auth/logout`, { method: 'POST', headers: { cookie: s.session as string, ...headers } });
  expect(await (await logout({ origin: 'https://evil.example', 'x-csrf-token': csrfToken })).json()).toMatchObject({ error: 'ORIGIN_FORBIDDEN' });
  expect(await (await logout({ origin: base })).json()).toMatchObject({ error: 'CSRF_TOKEN_INVALID' });
  expect(await (await logout({ origin: base, 'x-csrf-token': `${csrfToken}x` })).json()).toMatchObject({ error: 'CSRF_TOKEN_INVALID' });
  expect((await me(s.session)).status).toBe(200);
  const out = await logout({ origin: base, 'x-csrf-token': csrfToken });
  expect(out.status).toBe(204);
  expect(out.headers.getSetCookie().find((c) => c.startsWith('wf_session='))).toMatch(/Max-Age=0/);
  expect((await me(s.session)).status).toBe(401);
});

test('a session idles out after sessionIdleMinutes without a request', async () => {
  const s = await signIn('zhangsan');
  expect((await me(s.session)).status).toBe(200);
  clock.advance(119 * 60_000);
  expect((await me(s.session)).status).toBe(200); // used: kept alive
  clock.advance(121 * 60_000);
  expect((await me(s.session)).status).toBe(401);
});

test('the session cookie is renewed with the session: every request sets its Max-Age again', async () => {
  const s = await signIn('zhangsan');
  clock.advance(100 * 60_000);
  const res = await me(s.session);
  expect(res.status).toBe(200);
  const renewed = res.headers.getSetCookie().find((c) => c.startsWith('wf_session='));
  expect(renewed).toBe(`${s.session}; Path=/; HttpOnly; SameSite=Lax; Max-Age=7200`);
  const page = await fetch(`${base}/board`, { headers: { cookie: s.session as string }, redirect: 'manual' });
  expect(page.headers.getSetCookie().find((c) => c.startsWith('wf_session='))).toBe(renewed);
});

describe('the lead page and the manager’s actions', () => {
  const lead = (cookie: string, id: string) => fetch(`${base}/api/board/leads/${id}`, { headers: { cookie } });
  const post = (cookie: string, path: string, headers: Record<string, string>) =>
    fetch(`${base}/api/board/leads/${path}`, { method: 'POST', headers: { cookie, origin: base, ...headers } });
  const csrf = async (cookie: string) => ((await (await me(cookie)).json()) as { csrfToken: string }).csrfToken;

  test('a manager sees their team’s leads and not others’; a rep only their own (404 otherwise)', async () => {
    const manager = (await signIn('wangwu')).session as string;
    const res = await lead(manager, 'woBOARD000000');
    expect(res.status).toBe(200);
    const body = (await res.json()) as Record<string, unknown> & {
      mindshare: unknown[];
      timeline: { customer: unknown[]; ours: unknown[] };
      lead: { owner: string };
      ownerName: string;
    };
    expect(body.lead.owner).toBe('zhangsan');
    expect(body.ownerName).toBe('张三'); // the owner's name from WeCom's user/get
    expect(body.mindshare).toHaveLength(12);
    expect(body.timeline).toMatchObject({ customer: expect.any(Array), ours: expect.any(Array) });
    expect(body).toMatchObject({ next: { step: 'position' }, decisionSlips: 0, nudges: [] });
    expect((await lead(manager, 'woBOARD000002')).status).toBe(404); // sunqi reports to zhouba
    const rep = (await signIn('zhangsan')).session as string;
    expect((await lead(rep, 'woBOARD000000')).status).toBe(200);
    expect((await lead(rep, 'woBOARD000001')).status).toBe(404);
    expect((await lead(rep, 'woNOSUCHLEAD')).status).toBe(404);
  });

  test('the lead page’s timeline comes a page at a time, newest first, with each side’s total', async () => {
    const redis = createRedis(REDIS_URL, 'general');
    const store = new LedgerStore(redis, prefix);
    const at = clock.now() - 86_400_000;
    await store.addEntries(
      'woBOARD000001',
      Array.from({ length: 120 }, (_, i) => ({
        id: `msg-${i}`,
        at: at + i * 1000,
        kind: 'customer_message' as const,
        source: 'archive' as const,
        note: `第${i}条`,
      })),
    );
    redis.disconnect();
    const manager = (await signIn('wangwu')).session as string;
    type Page = { timeline: { customer: { note: string }[]; total: { customer: number }; offset: number; limit: number } };
    const first = (await (await lead(manager, 'woBOARD000001')).json()) as Page;
    expect(first.timeline.customer).toHaveLength(50);
    expect(first.timeline.total.customer).toBe(120);
    expect(first.timeline.customer.at(-1)?.note).toBe('第119条');
    const older = (await (await lead(manager, 'woBOARD000001?offset=100&limit=50')).json()) as Page;
    expect(older.timeline.customer.map((e) => e.note)).toEqual(Array.from({ length: 20 }, (_, i) => `第${i}条`));
    expect((await lead(manager, 'woBOARD000001?limit=1e9')).status).toBe(400);
  });

  test('提醒他: a card to the rep through the send queue, once per click; a rep cannot; CSRF and Origin required', async () => {
    const manager = (await signIn('wangwu')).session as string;
    const token = await csrf(manager);
    expect((await post(manager, 'woBOARD000000/remind', {})).status).toBe(403);
    expect(await (await post(manager, 'woBOARD000000/remind', { 'x-csrf-token': token, origin: 'https://evil.example' })).json()).toMatchObject({
      error: 'ORIGIN_FORBIDDEN',
    });
    const first = await post(manager, 'woBOARD000000/remind', { 'x-csrf-token': token, 'idempotency-key': 'click-0001' });
    expect(first.status).toBe(201);
    const again = await post(manager, 'woBOARD000000/remind', { 'x-csrf-token': token, 'idempotency-key': 'click-0001' });
    expect(await again.json()).toMatchObject({ already: true });
    const cards = () => sb.sandbox.inbox('zhangsan').filter((m) => m.body.msgtype === 'template_card');
    await waitFor(() => cards().length === 1);
    const card = cards()[0]?.body;
    expect(card?.msgtype === 'template_card' && card.template_card.main_title.title).toBe('王五提醒你跟进客户0');
    expect(card?.msgtype === 'template_card' && card.template_card.button_list.map((b) => b.text)).toEqual(['已打电话', '约会议', '稍后提醒']);
    await new Promise((r) => setTimeout(r, 300));
    expect(cards()).toHaveLength(1);
    expect((await (await lead(manager, 'woBOARD000000')).json()) as { timeline: { ours: { kind: string }[] } }).toMatchObject({
      timeline: { ours: expect.arrayContaining([expect.objectContaining({ kind: 'manager_reminded' })]) },
    });
    // Not for another manager's rep; not for a rep on their own lead.
    expect((await post(manager, 'woBOARD000002/remind', { 'x-csrf-token': token })).status).toBe(404);
    const rep = (await signIn('zhangsan')).session as string;
    expect(await (await post(rep, 'woBOARD000000/remind', { 'x-csrf-token': await csrf(rep) })).json()).toMatchObject({ error: 'ROLE_FORBIDDEN' });
  });

  test('我来跟: the rep is told the manager takes the next call', async () => {
    const manager = (await signIn('wangwu')).session as string;
    const res = await post(manager, 'woBOARD000001/take', { 'x-csrf-token': await csrf(manager), 'idempotency-key': 'take-00001' });
    expect(res.status).toBe(201);
    await waitFor(() =>
      sb.sandbox.inbox('zhaoliu').some((m) => m.body.msgtype === 'text' && m.body.text.content.startsWith('王五说：客户1的下一个电话他来打。')),
    );
  });
});

describe('the team lines (团队), maintained as the ledger changes', () => {
  test('the board job recomputes the leads that changed (提醒他 and 我来跟 above) and their reps’ lines', async () => {
    expect(await worker.nudger.refreshBoard(500)).toBeGreaterThanOrEqual(2);
    const session = (await signIn('wangwu')).session as string;
    const lines = (
      (await (await fetch(`${base}/api/board/team`, { headers: { cookie: session } })).json()) as { reps: { rep: string; nudgesSent30d: number }[] }
    ).reps;
    expect(lines.map((l) => l.rep).sort()).toEqual(['zhangsan', 'zhaoliu']);
    expect(await worker.nudger.refreshBoard(500)).toBe(0); // nothing changed since
  });

  test('after the nightly rebuild: a manager gets a line per rep of theirs, a rep their own, an admin everyone’s', async () => {
    expect(await worker.nudger.rebuildBoard()).toBe(3);
    const team = async (member: string) =>
      (
        (await (await fetch(`${base}/api/board/team`, { headers: { cookie: (await signIn(member)).session as string } })).json()) as {
          reps: { rep: string; name: string; openLeads: number; positionedShare: number }[];
        }
      ).reps;
    const mine = await team('wangwu');
    expect(mine.map((r) => r.rep).sort()).toEqual(['zhangsan', 'zhaoliu']);
    expect(mine.find((r) => r.rep === 'zhangsan')).toMatchObject({ name: '张三', openLeads: 1, positionedShare: 0 });
    expect((await team('zhangsan')).map((r) => r.rep)).toEqual(['zhangsan']);
    expect((await team('boss')).map((r) => r.rep).sort()).toEqual(['sunqi', 'zhangsan', 'zhaoliu']);
    expect((await fetch(`${base}/api/board/team`)).status).toBe(401);
  });
});

describe('the risk list (风险), from the reps’ risk indexes', () => {
  const risks = async (member: string, qs = '') =>
    (
      (await (await fetch(`${base}/api/board/risks${qs}`, { headers: { cookie: (await signIn(member)).session as string } })).json()) as {
        leads: { leadId: string; owner: string; chips: { chip: string }[]; risk: number }[];
      }
    ).leads;

  test('paging a member can type: fractions, exponents, Infinity and huge offsets → 400 PAGING_INVALID, never a 500', async () => {
    const cookie = (await signIn('wangwu')).session as string;
    for (const q of ['offset=1.5', 'limit=1.5', 'offset=1e300', 'limit=Infinity', 'offset=99999999', 'limit=101']) {
      const res = await fetch(`${base}/api/board/risks?${q}`, { headers: { cookie } });
      expect([q, res.status, ((await res.json()) as { error: string }).error]).toEqual([q, 400, 'PAGING_INVALID']);
    }
    expect((await fetch(`${base}/api/board/risks?offset=0&limit=100`, { headers: { cookie } })).status).toBe(200);
  });

  test('a manager sees their reps’ leads at risk, riskiest first, with chips; filters; nobody else’s', async () => {
    await worker.nudger.rebuildBoard();
    const mine = await risks('wangwu');
    expect(mine.map((l) => l.owner).sort()).toEqual(['zhangsan', 'zhaoliu']);
    expect(mine[0]?.chips.map((c) => c.chip)).toContain('unpositioned');
    expect(mine.map((l) => l.risk)).toEqual([...mine.map((l) => l.risk)].sort((a, b) => b - a));
    expect((await risks('wangwu', '?rep=zhangsan')).map((l) => l.leadId)).toEqual(['woBOARD000000']);
    expect(await risks('wangwu', '?rep=sunqi')).toEqual([]);
    expect(await risks('wangwu', '?chip=decision_passed')).toEqual([]);
    expect((await risks('zhangsan')).map((l) => l.owner)).toEqual(['zhangsan']);
    expect((await risks('boss')).length).toBe(3);
  });

  test('提醒效果: by kind and by rep, for the viewer’s reps only', async () => {
    const res = await fetch(`${base}/api/board/nudges`, { headers: { cookie: (await signIn('wangwu')).session as string } });
    const body = (await res.json()) as { byKind: Record<string, unknown>; byRep: { rep: string }[] };
    expect(body.byRep.map((r) => r.rep).sort()).toEqual(['zhangsan', 'zhaoliu']);
    expect(body.byKind).toEqual({});
    expect((await fetch(`${base}/api/board/nudges`)).status).toBe(401);
  });
});

test('a member who leaves is signed out, and a manager who no longer leads a rep stops seeing them, within minutes', async () => {
  sb.sandbox
    .addUser({ userid: 'leaver', name: '要走的人' })
    .addUser({ userid: 'mgr2', name: '经理二' })
    .addUser({ userid: 'rep9', name: '九号', direct_leader: ['mgr2'] });
  const redis = createRedis(REDIS_URL, 'general');
  await new LedgerStore(redis, prefix).bulkLoad([
    {
      lead: newLead({ id: 'woREP9000001', externalUserId: 'woREP9000001', name: '客户九', owner: 'rep9', source: 'inquiry', createdAt: clock.now() }),
      entries: [],
    },
  ]);
  redis.disconnect();
  const leaver = await signIn('leaver');
  const manager = await signIn('mgr2');
  expect((await me(leaver.session)).status).toBe(200);
  expect(((await (await me(manager.session)).json()) as { reps: string[] }).reps).toEqual(['mgr2', 'rep9']);
  sb.sandbox.removeUser('leaver').addUser({ userid: 'rep9', name: '九号' });
  clock.advance(6 * 60_000);
  const gone = await me(leaver.session);
  expect([gone.status, ((await gone.json()) as { error: string }).error]).toEqual([401, 'SIGN_IN_REQUIRED']);
  expect(gone.headers.getSetCookie().find((c) => c.startsWith('wf_session='))).toMatch(/Max-Age=0/);
  expect(((await (await me(manager.session)).json()) as { reps: string[]; role: string }).role).toBe('rep');
});

test('a closed lead reads as closed: no next step and no suggestion', async () => {
  const redis = createRedis(REDIS_URL, 'general');
  await new LedgerStore(redis, prefix).bulkLoad([
    {
      lead: {
        ...newLead({ id: 'woWON0000001', externalUserId: 'woWON0000001', name: '赢了的客户', owner: 'zhangsan', source: 'inquiry', createdAt: clock.now() }),
        outcome: 'won',
        outcomeReason: '签了一年',
      },
      entries: [{ id: 'sig-w', at: clock.now(), kind: 'signal', source: 'archive', signal: 'competitors', cue: '也在看别家' }],
    },
  ]);
  redis.disconnect();
  const manager = (await signIn('wangwu')).session as string;
  const body = (await (await fetch(`${base}/api/board/leads/woWON0000001`, { headers: { cookie: manager } })).json()) as {
    next: unknown;
    stateSuggestion: unknown;
    decisionSuggestion: unknown;
    lead: { outcome: string };
  };
  expect(body).toMatchObject({ next: null, stateSuggestion: null, decisionSuggestion: null, lead: { outcome: 'won' } });
});
