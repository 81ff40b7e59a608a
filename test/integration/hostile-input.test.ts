/**
 * Hostile input over HTTP: every attack has a defined answer, a reason code and no effect. Written against the holes
 * found by attacking the bot: the decryption oracle, stale and future timestamps, replays after the dedupe
 * key expired, unsigned 10 MB archive posts (memory measured from outside), slow headers, and cross-site form posts
 * with Basic credentials to every state-changing route.
 */
import { request as httpRequest } from 'node:http';
import { connect, type Socket } from 'node:net';
import { readFileSync } from 'node:fs';
import { createRedis, type RedisClient } from '../../src/store/redis';
import { ManualClock } from '../../src/domain/clock';
import { bullPrefix } from '../../src/jobs/names';
import { cleanupRedis, REDIS_URL, testConfig, uniquePrefix, waitFor } from '../helpers/config';
import { recordFigure } from '../helpers/figures';
import { fixture } from '../helpers/fixtures';
import { recordingHandlers, startBot, type Running } from '../helpers/harness';
import { startChild } from '../helpers/sandbox';

const prefix = uniquePrefix('hostile');
const config = testConfig(prefix);
// Short server timeouts so the slow-loris case runs in seconds (production: config/app.json `http`).
config.policy.http = { headersTimeoutMs: 1000, requestTimeoutMs: 2000, keepAliveTimeoutMs: 1000, maxConnections: 2000 };
const T0 = Date.parse('2026-11-23T02:00:00Z');
const clock = new ManualClock(T0);
const { handlers, seen } = recordingHandlers();
let bot: Running;
let redis: RedisClient;

beforeAll(async () => {
  bot = await startBot(config, handlers, { clock });
  redis = createRedis(REDIS_URL, 'general');
});
afterAll(async () => {
  await bot.close();
  redis.disconnect();
  await cleanupRedis(prefix);
});

const qs = (q: Record<string, string | undefined>) =>
  Object.entries(q)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}=${encodeURIComponent(v as string)}`)
    .join('&');
const reasons = () => bot.lines.map((l) => l.reason);

describe('the webhook', () => {
  test('a captured POST replayed as a URL verification is not decrypted back (no oracle): 400 ECHOSTR_INVALID', async () => {
    const captured = bot.driver.appRequest(fixture('app/add_external_contact.xml'));
    const encrypt = /<Encrypt><!\[CDATA\[([^\]]+)\]\]>/.exec(captured.body)?.[1] as string;
    const res = await fetch(`${bot.baseUrl}/wecom/callback?${qs({ ...captured.query, echostr: encrypt })}`);
    const text = await res.text();
    expect([res.status, text]).toEqual([400, 'ECHOSTR_INVALID']);
    expect(text).not.toContain('ExternalUserID');
    expect(reasons()).toContain('ECHOSTR_INVALID');
    // A real verification still works.
    const ok = await fetch(bot.driver.verifyRequest('app', '1616140317555161061').url);
    expect([ok.status, await ok.text()]).toEqual([200, '1616140317555161061']);
  });

  test.each([
    ['5 days old', -5 * 86_400],
    ['31 minutes old', -31 * 60],
    ['10 years ahead', 10 * 365 * 86_400],
    ['6 minutes ahead', 6 * 60],
  ])('a correctly signed callback whose timestamp is %s → 401 TIMESTAMP_STALE, nothing stored', async (_label, offsetSeconds) => {
    const stale = new ManualClock(T0 + offsetSeconds * 1000);
    const { CallbackDriver } = await import('../../tools/sandbox/callback-driver');
    const { VECTOR_A, BOT_SECRETS } = await import('../helpers/config');
    const driver = new CallbackDriver(bot.baseUrl, { ...VECTOR_A }, BOT_SECRETS, () => stale.now());
    const before = seen.length;
    const app = await driver.deliver(driver.appRequest(fixture('app/text.xml').replace('hello', `stale ${offsetSeconds}`)), { retries: 0 });
    expect([app.status, app.body]).toEqual([401, 'TIMESTAMP_STALE']);
    const robot = await driver.deliver(
      driver.botRequest(
        JSON.stringify({
          msgid: `stale-${offsetSeconds}`,
          aibotid: 'A',
          chattype: 'single',
          from: { userid: 'zhangsan' },
          msgtype: 'text',
          text: { content: 'hi' },
        }),
      ),
      { retries: 0 },
    );
    expect([robot.status, robot.body]).toEqual([401, 'TIMESTAMP_STALE']);
    const verify = await fetch(driver.verifyRequest('app', '12345').url);
    expect([verify.status, await verify.text()]).toEqual([401, 'TIMESTAMP_STALE']);
    await new Promise((r) => setTimeout(r, 200));
    expect(seen.length).toBe(before);
  });

  test('an unsigned body is not parsed: 60 KB of small elements → 401 SIGNATURE_INVALID; past 64 KB → 413 BODY_TOO_LARGE', async () => {
    const q = qs({ msg_signature: 'a'.repeat(40), timestamp: String(Math.floor(T0 / 1000)), nonce: '1' });
    const post = (body: string) => fetch(`${bot.baseUrl}/wecom/callback?${q}`, { method: 'POST', body, headers: { 'content-type': 'text/xml' } });
    const small = await post(`<xml>${'<a>1</a>'.repeat(7_000)}<Encrypt>QUJD</Encrypt></xml>`);
    expect([small.status, await small.text()]).toEqual([401, 'SIGNATURE_INVALID']);
    const big = await post(`<xml>${'<a>1</a>'.repeat(45_000)}<Encrypt>QUJD</Encrypt></xml>`);
    expect([big.status, await big.text()]).toEqual([413, 'BODY_TOO_LARGE']);
  });

  test('a timestamp that is not a number → 401 TIMESTAMP_STALE', async () => {
    const { signCallback } = await import('../../src/wecom/crypto');
    const { VECTOR_A } = await import('../helpers/config');
    const good = bot.driver.appRequest(fixture('app/text.xml'));
    const encrypt = /<Encrypt><!\[CDATA\[([^\]]+)\]\]>/.exec(good.body)?.[1] as string;
    const q = { timestamp: '1e10', nonce: '1', msg_signature: signCallback(VECTOR_A.token, '1e10', '1', encrypt) };
    const res = await fetch(`${bot.baseUrl}/wecom/callback?${qs(q)}`, { method: 'POST', body: good.body });
    expect([res.status, await res.text()]).toEqual([401, 'TIMESTAMP_STALE']);
  });

  test('the same bytes replayed after their dedupe key expired are refused, not stored again', async () => {
    const req = bot.driver.appRequest(fixture('app/text.xml').replace('hello', 'replayed later'));
    const first = await bot.driver.deliver(req, { retries: 0 });
    expect(first.status).toBe(200);
    await waitFor(() => seen.some((s) => s.event.kind === 'app_text' && s.event.content === 'replayed later'));
    // 73 hours later the 72 h dedupe key is gone (deleted here, as its TTL would) and the attacker replays the bytes.
    for (const key of await redis.keys(`${prefix}:{inbox}:seen:*`)) await redis.del(key);
    clock.advance(73 * 3_600_000);
    try {
      const replay = await bot.driver.deliver(req, { retries: 0 });
      expect([replay.status, replay.body]).toEqual([401, 'TIMESTAMP_STALE']);
      await new Promise((r) => setTimeout(r, 200));
      expect(seen.filter((s) => s.event.kind === 'app_text' && s.event.content === 'replayed later')).toHaveLength(1);
    } finally {
      clock.set(T0);
    }
  });
});

describe('state-changing routes refuse cross-site and form-encoded requests', () => {
  const basic = { authorization: `Basic ${Buffer.from(`ops:${config.adminToken}`).toString('base64')}` };
  const bearer = { authorization: `Bearer ${config.adminToken}` };
  const form = { 'content-type': 'application/x-www-form-urlencoded' };
  const json = { 'content-type': 'application/json' };
  const sendForm = 'name=send&data[key]=k1&data[touser]=zhangsan&data[body][msgtype]=text&data[body][text][content]=HI';
  const routes: [string, string][] = [
    ['POST', '/admin/queues/api/queues/send/add'],
    ['POST', '/admin/queues/api/queues/inbox/add'],
    ['PUT', '/admin/queues/api/queues/send/retry/failed'],
    ['PUT', '/admin/queues/api/queues/pause'],
    ['PUT', '/admin/queues/api/queues/send/clean/completed'],
    ['POST', '/api/sweep'],
    ['POST', '/api/inbox/failed/some-id/retry'],
    ['POST', '/api/send/failed/some-id/retry'],
  ];
  const jobsIn = async (queue: string) => (await redis.keys(`${bullPrefix(prefix)}:${queue}:*`)).filter((k) => /:\d+$|:send-|:[0-9a-f]{20,}$/.test(k)).length;

  test.each(routes)(
    '%s %s: Basic + foreign Origin → 403 ORIGIN_FORBIDDEN; Basic + Sec-Fetch-Site cross-site → 403; same-origin form → 415; Basic JSON → 401; Bearer form → 415',
    async (method, path) => {
      const url = `${bot.baseUrl}${path}`;
      const call = async (headers: Record<string, string>, body = sendForm) => {
        const res = await fetch(url, { method, headers, body });
        return [res.status, ((await res.json().catch(() => ({}))) as { error?: string }).error];
      };
      expect(await call({ ...basic, ...form, origin: 'https://evil.example' })).toEqual([403, 'ORIGIN_FORBIDDEN']);
      expect(await call({ ...basic, ...form, 'sec-fetch-site': 'cross-site' })).toEqual([403, 'ORIGIN_FORBIDDEN']);
      expect(await call({ ...basic, ...form, 'sec-fetch-site': 'same-site' })).toEqual([403, 'ORIGIN_FORBIDDEN']);
      expect(await call({ ...basic, ...form })).toEqual([415, 'JSON_REQUIRED']);
      expect(await call({ ...basic, ...form, 'content-type': 'text/plain' }, 'x')).toEqual([415, 'JSON_REQUIRED']);
      expect(await call({ ...basic, ...json }, '{}')).toEqual([401, 'BEARER_REQUIRED']);
      expect(await call({ ...bearer, ...form })).toEqual([415, 'JSON_REQUIRED']);
      expect(await call({ ...form, origin: 'https://evil.example' })).toEqual([403, 'ORIGIN_FORBIDDEN']);
    },
  );

  test('the queue dashboard is read-only even with a Bearer token and JSON: 405 DASHBOARD_READ_ONLY, no job added', async () => {
    const res = await fetch(`${bot.baseUrl}/admin/queues/api/queues/send/add`, {
      method: 'POST',
      headers: { ...bearer, ...json },
      body: JSON.stringify({ name: 'send', data: { key: 'k1', touser: 'zhangsan', body: { msgtype: 'text', text: { content: 'HI' } } } }),
    });
    expect(res.status).toBe(405);
    expect(((await res.json()) as { error: string }).error).toBe('DASHBOARD_READ_ONLY');
    expect(await jobsIn('send')).toBe(0);
    expect(await jobsIn('inbox')).toBeLessThanOrEqual(seen.length);
    // Reading still works in a browser.
    expect((await fetch(`${bot.baseUrl}/admin/queues/api/queues`, { headers: basic })).status).toBe(200);
  });

  test('the queue dashboard page: a CSP of this origin only, never framed, no third-party fonts', async () => {
    const res = await fetch(`${bot.baseUrl}/admin/queues`, { headers: basic });
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('__UI_CONFIG__');
    expect(html).not.toMatch(/googleapis|https?:\/\/(?!127\.0\.0\.1)/);
    expect(res.headers.get('content-security-policy')).toMatch(/default-src 'self'.*frame-ancestors 'none'/);
    expect(res.headers.get('x-frame-options')).toBe('DENY');
  });

  test('the JSON API still works for operators: Bearer, same origin, JSON or no body', async () => {
    const res = await fetch(`${bot.baseUrl}/api/sweep`, { method: 'POST', headers: { ...bearer, origin: bot.baseUrl } });
    expect(res.status).toBe(202);
    const missing = await fetch(`${bot.baseUrl}/api/send/failed/nope/retry`, { method: 'POST', headers: { ...bearer, ...json }, body: '{}' });
    expect(missing.status).toBe(404);
  });
});

describe('paging values a list cannot take', () => {
  const bearer = () => ({ authorization: `Bearer ${config.adminToken}` });
  test.each([
    'offset=1.5',
    'limit=1.5',
    'offset=1e300',
    'limit=Infinity',
    'offset=-1',
    'limit=0',
    'limit=100000',
    'offset=99999999',
    'offset=0x10',
    'offset=&limit=',
  ])('?%s → 400 PAGING_INVALID on every list, never a 500', async (query) => {
    for (const path of ['/api/leads', '/api/inbox/failed', '/api/send/failed']) {
      const res = await fetch(`${bot.baseUrl}${path}?${query}`, { headers: bearer() });
      if (res.status === 404 && path === '/api/send/failed') continue;
      expect([path, res.status, ((await res.json()) as { error: string }).error]).toEqual([path, 400, 'PAGING_INVALID']);
    }
  });
  test('good paging still works', async () => {
    const res = await fetch(`${bot.baseUrl}/api/leads?offset=0&limit=10`, { headers: bearer() });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ offset: 0, limit: 10 });
  });
});

describe('admin token guessing', () => {
  test('wrong tokens are logged and counted; after 10 in a minute the client gets 429 ADMIN_THROTTLED, even with the right token', async () => {
    const guess = (token: string, client: string) =>
      fetch(`${bot.baseUrl}/api/leads`, { headers: { authorization: `Bearer ${token}`, 'x-forwarded-for': client } });
    for (let i = 0; i < 10; i++) expect((await guess(`wrong-token-${i}-000000000`, '10.9.9.9')).status).toBe(401);
    const blocked = await guess(config.adminToken, '10.9.9.9');
    expect([blocked.status, ((await blocked.json()) as { error: string }).error]).toEqual([429, 'ADMIN_THROTTLED']);
    expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(0);
    // Another client is not held up, and writing an address before the proxy's does not make a fresh client.
    expect((await guess(config.adminToken, '10.9.9.10')).status).toBe(200);
    expect((await guess(config.adminToken, '1.2.3.4, 10.9.9.9')).status).toBe(429);
    expect(bot.lines.filter((l) => l.reason === 'admin.unauthorized')).toHaveLength(10);
    expect(JSON.stringify(bot.lines)).not.toContain('wrong-token-');
    const scrape = await (
      await fetch(`${bot.baseUrl}/metrics`, { headers: { authorization: `Bearer ${config.adminToken}`, 'x-forwarded-for': '10.9.9.12' } })
    ).text();
    expect(scrape).toMatch(/wf_admin_refused_total\{reason="UNAUTHORIZED"\} 10/);
    expect(scrape).toMatch(/wf_admin_refused_total\{reason="ADMIN_THROTTLED"\} 2/);
  });
});

describe('slow clients', () => {
  test('200 connections trickling their headers are cut off at headersTimeout, and the server keeps answering', async () => {
    const port = bot.web.port;
    const sockets: Socket[] = [];
    const closedAt: number[] = [];
    const started = Date.now();
    await Promise.all(
      Array.from(
        { length: 200 },
        () =>
          new Promise<void>((resolve) => {
            const s = connect(port, '127.0.0.1', () => {
              s.write('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n');
              resolve();
            });
            s.on('error', () => undefined);
            s.on('close', () => closedAt.push(Date.now() - started));
            sockets.push(s);
          }),
      ),
    );
    const trickle = setInterval(() => {
      for (const s of sockets) if (!s.destroyed) s.write(`X-Slow-${Math.random().toString(36).slice(2, 6)}: 1\r\n`);
    }, 300);
    try {
      await waitFor(() => closedAt.length === 200, { timeoutMs: 6000, intervalMs: 100 });
      expect(Math.max(...closedAt)).toBeLessThan(4000);
      const res = await fetch(`${bot.baseUrl}/healthz`);
      expect(res.status).toBe(200);
    } finally {
      clearInterval(trickle);
      for (const s of sockets) s.destroy();
    }
  });
});

describe('the chat-archive ingress, attacked by unauthenticated callers (a separate web process, memory read from /proc)', () => {
  const TEN_MB = 10 * 1024 * 1024;
  const rssOf = (pid: number) => Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) * 1024;

  /** Posts `size` bytes, streamed; resolves with the status or the network error the server closed it with. */
  const post = (port: number, headers: Record<string, string>, size: number) =>
    new Promise<string>((resolve) => {
      const req = httpRequest({
        host: '127.0.0.1',
        port,
        path: '/ingest/archive',
        method: 'POST',
        headers: { 'content-type': 'application/json', 'content-length': String(size), ...headers },
      });
      let settled = false;
      const done = (v: string) => {
        if (!settled) {
          settled = true;
          resolve(v);
        }
      };
      req.on('response', (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => done(`${res.statusCode} ${(JSON.parse(body || '{}') as { error?: string }).error ?? ''}`.trim()));
        res.on('error', () => done(`${res.statusCode}`));
      });
      req.on('error', (err: NodeJS.ErrnoException) => done(err.code ?? 'ERROR'));
      const chunk = Buffer.alloc(64 * 1024, 'a');
      let sent = 0;
      const pump = () => {
        while (sent < size) {
          const n = Math.min(chunk.length, size - sent);
          sent += n;
          if (!req.write(n === chunk.length ? chunk : chunk.subarray(0, n))) return void req.once('drain', pump);
        }
        req.end();
      };
      pump();
    });

  test('20 parallel unsigned, malformed-signature and wrong-signature 10 MB posts: refused by reason code, RSS back near its baseline', async () => {
    const web = await startChild('web', { PREFIX: prefix, ARCHIVE_SECRET: 'archive-secret-0123456789' });
    const pid = web.ready.pid as number;
    const port = web.ready.port as number;
    try {
      await new Promise((r) => setTimeout(r, 500));
      const baseline = rssOf(pid);
      const unsigned = await Promise.all(Array.from({ length: 20 }, () => post(port, {}, TEN_MB)));
      const malformed = await Promise.all(Array.from({ length: 20 }, () => post(port, { 'x-signature': 'sha256=zz' }, TEN_MB)));
      const wrong = await Promise.all(Array.from({ length: 20 }, () => post(port, { 'x-signature': `sha256=${'0'.repeat(64)}` }, TEN_MB)));
      const declaredTooLarge = await post(port, { 'x-signature': `sha256=${'0'.repeat(64)}` }, 11 * 1024 * 1024);
      const peak = rssOf(pid);
      // Refused before the body was read; the server may close the socket under the rest of the upload.
      for (const r of unsigned) expect(['401 SIGNATURE_MISSING', 'EPIPE', 'ECONNRESET']).toContain(r);
      for (const r of malformed) expect(['401 SIGNATURE_MALFORMED', 'EPIPE', 'ECONNRESET']).toContain(r);
      // At most two are read at once; the others are turned away (429) — none is accepted.
      for (const r of wrong) expect(['401 SIGNATURE_INVALID', '429 ARCHIVE_BUSY', 'EPIPE', 'ECONNRESET']).toContain(r);
      expect(wrong.filter((r) => r === '401 SIGNATURE_INVALID').length).toBeGreaterThan(0);
      expect(['413 BODY_TOO_LARGE', 'EPIPE', 'ECONNRESET']).toContain(declaredTooLarge);
      await new Promise((r) => setTimeout(r, 1500));
      const after = rssOf(pid);
      recordFigure(
        `archive attack RSS: baseline ${(baseline / 2 ** 20).toFixed(0)} MB, peak ${(peak / 2 ** 20).toFixed(0)} MB, after ${(after / 2 ** 20).toFixed(0)} MB`,
      );
      expect(peak - baseline).toBeLessThan(120 * 2 ** 20);
      expect(after - baseline).toBeLessThan(80 * 2 ** 20);
      // Still serving.
      expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
    } finally {
      await web.stop();
    }
  }, 60_000);
});
