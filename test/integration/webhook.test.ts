import { readdirSync } from 'node:fs';
import path from 'node:path';
import { decodeAppPlaintext, decodeBotPlaintext } from '../../src/wecom/codec';
import { cleanupRedis, testConfig, uniquePrefix, VECTOR_A, waitFor } from '../helpers/config';
import { fixture } from '../helpers/fixtures';
import { recordingHandlers, startBot, type Running } from '../helpers/harness';

const prefix = uniquePrefix('webhook');
const config = testConfig(prefix);
const { handlers, seen } = recordingHandlers();
let bot: Running;

beforeAll(async () => {
  bot = await startBot(config, handlers);
});
afterAll(async () => {
  await bot.close();
  await cleanupRedis(prefix);
});

const appFixtures = readdirSync(path.join(__dirname, '..', 'fixtures', 'app')).filter((f) => f.endsWith('.xml'));
const botFixtures = readdirSync(path.join(__dirname, '..', 'fixtures', 'bot')).filter((f) => f.endsWith('.json'));

describe('URL verification (GET)', () => {
  test('official vector A over HTTP: the exact plaintext, no quotes/BOM/newline', async () => {
    // The vector was signed in 2014: a web process whose clock reads that moment (the freshness window holds).
    const { startWeb } = await import('../../src/main/web');
    const { ManualClock } = await import('../../src/domain/clock');
    const { captureLogger } = await import('../helpers/config');
    const web2014 = await startWeb(config, captureLogger().log, { port: 0, clock: new ManualClock(1409659589_000) });
    const res = await fetch(
      `http://127.0.0.1:${web2014.port}/wecom/callback?msg_signature=5c45ff5e21c57e6ad56bac8758b79b1d9ac89fd3&timestamp=1409659589&nonce=263014780&echostr=P9nAzCzyDtyTWESHep1vC5X9xho%2FqYX3Zpb4yKa9SKld1DsH3Iyt3tP3zNdtp%2B4RPcs8TgAE7OaBO%2BFZXvnaqQ%3D%3D`,
    );
    expect(res.status).toBe(200);
    expect(Buffer.from(await res.arrayBuffer()).toString('hex')).toBe(Buffer.from('1616140317555161061').toString('hex'));
    await web2014.close();
  });
  test('robot URL verification via the driver', async () => {
    const { url } = bot.driver.verifyRequest('bot', 'echo-12345');
    const res = await fetch(url);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('echo-12345');
  });
  test('bad signature → 401; missing echostr → 401; app echostr on the robot route → 401', async () => {
    const { url } = bot.driver.verifyRequest('app', 'x');
    expect((await fetch(url.replace(/msg_signature=[0-9a-f]+/, 'msg_signature=deadbeef'))).status).toBe(401);
    expect((await fetch(`${bot.baseUrl}/wecom/callback?msg_signature=a&timestamp=1&nonce=1`)).status).toBe(401);
    expect((await fetch(url.replace('/wecom/callback', '/wecom/bot'))).status).toBe(401);
  });
});

describe('POST: every event kind reaches its handler exactly once', () => {
  test.each(appFixtures)('app %s', async (file) => {
    const plaintext = fixture(`app/${file}`);
    const before = seen.length;
    const res = await bot.driver.deliver(bot.driver.appRequest(plaintext));
    expect(res).toMatchObject({ status: 200, body: '', attempts: 1 });
    const expected = decodeAppPlaintext(plaintext);
    await waitFor(() => seen.length > before);
    await new Promise((r) => setTimeout(r, 50));
    const got = seen.slice(before);
    expect(got).toHaveLength(1);
    expect(got[0]?.event).toEqual(expected);
    expect(got[0]?.ctx.channel).toBe('app');
  });

  test.each(botFixtures)('robot %s', async (file) => {
    const plaintext = fixture(`bot/${file}`);
    const before = seen.length;
    expect((await bot.driver.deliver(bot.driver.botRequest(plaintext))).status).toBe(200);
    await waitFor(() => seen.length > before);
    expect(seen.slice(before).map((s) => s.event)).toEqual([decodeBotPlaintext(plaintext)]);
  });
});

describe('the sandbox callback driver speaks what the webhook reads', () => {
  test('every typed event sent with driver.send() arrives decoded to the same event', async () => {
    const events = [
      ...appFixtures.filter((f) => !f.startsWith('unknown')).map((f) => decodeAppPlaintext(fixture(`app/${f}`))),
      ...botFixtures.map((f) => decodeBotPlaintext(fixture(`bot/${f}`))),
    ]
      .map((e, i) => (e.kind === 'bot_message' || e.kind === 'bot_event' || e.kind === 'app_text' ? { ...e, msgId: `${e.msgId}${i}` } : e))
      .map((e, i) => ({ ...e, createTime: 1_800_000_000 + i }));
    const before = seen.length;
    for (const e of events) expect((await bot.driver.send(e)).status).toBe(200);
    await waitFor(() => seen.length - before === events.length);
    const got = seen.slice(before).map((x) => x.event);
    for (const e of events) expect(got).toContainEqual(e);
  });
});

describe('idempotency', () => {
  test('the same callback 4 times concurrently (WeCom retries) is handled once', async () => {
    const xml = fixture('app/add_external_contact.xml').replace('woAJ2GCAAAXtWyujaWJHDDGi0mAAAA', 'woCONCURRENT0001');
    const req = bot.driver.appRequest(xml);
    const results = await Promise.all([1, 2, 3, 4].map(() => bot.driver.deliver(req)));
    expect(results.map((r) => r.status)).toEqual([200, 200, 200, 200]);
    await waitFor(() => seen.some((s) => s.event.kind === 'external_contact' && s.event.externalUserId === 'woCONCURRENT0001'));
    await new Promise((r) => setTimeout(r, 300));
    expect(seen.filter((s) => s.event.kind === 'external_contact' && s.event.externalUserId === 'woCONCURRENT0001')).toHaveLength(1);
  });

  test('a re-encrypted retry (new random, new signature) of the same event is still one event', async () => {
    const xml = fixture('app/add_external_contact.xml').replace('woAJ2GCAAAXtWyujaWJHDDGi0mAAAA', 'woREENCRYPT0001');
    await Promise.all([bot.driver.deliver(bot.driver.appRequest(xml)), bot.driver.deliver(bot.driver.appRequest(xml))]);
    await waitFor(() => seen.some((s) => s.event.kind === 'external_contact' && s.event.externalUserId === 'woREENCRYPT0001'));
    await new Promise((r) => setTimeout(r, 300));
    expect(seen.filter((s) => s.event.kind === 'external_contact' && s.event.externalUserId === 'woREENCRYPT0001')).toHaveLength(1);
  });

  test('two customers added to one rep in the same second are two events', async () => {
    const one = fixture('app/add_external_contact.xml').replace('woAJ2GCAAAXtWyujaWJHDDGi0mAAAA', 'woSAMESECOND1');
    const two = fixture('app/add_external_contact.xml').replace('woAJ2GCAAAXtWyujaWJHDDGi0mAAAA', 'woSAMESECOND2');
    await Promise.all([bot.driver.deliver(bot.driver.appRequest(one)), bot.driver.deliver(bot.driver.appRequest(two))]);
    await waitFor(() => seen.filter((s) => s.event.kind === 'external_contact' && s.event.externalUserId.startsWith('woSAMESECOND')).length === 2);
  });
});

describe('bad input: a defined answer and a reason code in the log', () => {
  const post = (qs: string, body: string | Buffer, contentType = 'text/xml') =>
    fetch(`${bot.baseUrl}/wecom/callback?${qs}`, { method: 'POST', headers: { 'content-type': contentType }, body });
  const goodReq = () => bot.driver.appRequest(fixture('app/text.xml'));
  const qsOf = (q: Record<string, string>) => new URLSearchParams(q).toString();

  const lastReason = () => bot.lines.filter((l) => l.reason && l.msg === 'callback rejected').at(-1)?.reason;

  test('missing signature → 401 SIGNATURE_MISSING', async () => {
    const r = goodReq();
    const res = await post('', r.body);
    expect([res.status, await res.text()]).toEqual([401, 'SIGNATURE_MISSING']);
    expect(lastReason()).toBe('SIGNATURE_MISSING');
  });
  test('wrong signature → 401 SIGNATURE_INVALID', async () => {
    const r = goodReq();
    const res = await post(qsOf({ ...r.query, msg_signature: '0'.repeat(40) }), r.body);
    expect([res.status, await res.text()]).toEqual([401, 'SIGNATURE_INVALID']);
    expect(lastReason()).toBe('SIGNATURE_INVALID');
  });
  test('signed with another token → 401', async () => {
    const r = goodReq();
    const res = await post(qsOf({ ...r.query, timestamp: String(Number(r.query.timestamp) + 1) }), r.body);
    expect(res.status).toBe(401);
  });
  test('receiveid of another corp → 401 RECEIVEID_MISMATCH', async () => {
    const { CallbackDriver } = await import('../../tools/sandbox/callback-driver');
    const other = new CallbackDriver(bot.baseUrl, { ...VECTOR_A, corpId: 'wwSOMEONEELSE' });
    const r = other.appRequest(fixture('app/text.xml'));
    const res = await post(qsOf(r.query), r.body);
    expect([res.status, await res.text()]).toEqual([401, 'RECEIVEID_MISMATCH']);
  });
  test('malformed XML body → 400 ENVELOPE_MALFORMED', async () => {
    const res = await post(qsOf(goodReq().query), '<xml><Encrypt>abc');
    expect([res.status, await res.text()]).toEqual([400, 'ENVELOPE_MALFORMED']);
  });
  test('XML with an entity bomb → 400, nothing expanded', async () => {
    const bomb = `<!DOCTYPE lolz [<!ENTITY lol "${'lol'.repeat(1000)}"><!ENTITY lol2 "${'&lol;'.repeat(1000)}">]><xml><Encrypt>&lol2;</Encrypt></xml>`;
    const res = await post(qsOf(goodReq().query), bomb);
    expect([res.status, await res.text()]).toEqual([400, 'ENVELOPE_MALFORMED']);
  });
  test('correctly signed but undecryptable Encrypt → 400 DECRYPT_FAILED', async () => {
    const { signCallback } = await import('../../src/wecom/crypto');
    const encrypt = Buffer.alloc(64, 7).toString('base64');
    const ts = String(Math.floor(Date.now() / 1000));
    const q = { timestamp: ts, nonce: '42', msg_signature: signCallback(VECTOR_A.token, ts, '42', encrypt) };
    const res = await post(qsOf(q), `<xml><Encrypt><![CDATA[${encrypt}]]></Encrypt></xml>`);
    expect([res.status, await res.text()]).toEqual([400, 'DECRYPT_FAILED']);
  });
  test('correctly signed and encrypted, but the plaintext is not XML → 400 PAYLOAD_MALFORMED', async () => {
    const res = await bot.driver.deliver(bot.driver.appRequest('this is not xml'), { retries: 0 });
    expect([res.status, res.body]).toEqual([400, 'PAYLOAD_MALFORMED']);
  });
  test('correctly signed and encrypted text message that does not parse → 400 PAYLOAD_MALFORMED', async () => {
    const res = await bot.driver.deliver(bot.driver.appRequest('<xml><MsgType>text</MsgType><MsgId>1</xml>'), { retries: 0 });
    expect([res.status, res.body]).toEqual([400, 'PAYLOAD_MALFORMED']);
  });
  test('correctly signed event with a broken field → 200: stored for the worker, which decodes it (an unknown event)', async () => {
    const res = await bot.driver.deliver(bot.driver.appRequest('<xml><MsgType>event</MsgType><Event>change_external_chat<ChatId>x</xml>'), { retries: 0 });
    expect(res.status).toBe(200);
  });
  test('the callback URL answers other methods 405 with Allow', async () => {
    const res = await fetch(`${bot.baseUrl}/wecom/callback`, { method: 'PUT', body: 'x' });
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('HEAD, GET, POST');
  });
  test('robot body that is JSON but not an object → 400', async () => {
    const res = await fetch(`${bot.baseUrl}/wecom/bot?${qsOf(goodReq().query)}`, {
      method: 'POST',
      body: '[1,2,3]',
      headers: { 'content-type': 'application/json' },
    });
    expect([res.status, await res.text()]).toEqual([400, 'ENVELOPE_MALFORMED']);
  });
  test('10 MB body → 413 BODY_TOO_LARGE, declared or streamed', async () => {
    const big = Buffer.alloc(10 * 1024 * 1024, 'a');
    const res = await post(qsOf(goodReq().query), big);
    expect([res.status, await res.text()]).toEqual([413, 'BODY_TOO_LARGE']);
    // chunked, no content-length: the limit still holds
    const { Readable } = await import('node:stream');
    const stream = Readable.from(
      (function* () {
        for (let i = 0; i < 20; i++) yield Buffer.alloc(512 * 1024, 'b');
      })(),
    );
    const res2 = await fetch(`${bot.baseUrl}/wecom/callback?${qsOf(goodReq().query)}`, {
      method: 'POST',
      body: Readable.toWeb(stream) as unknown as ReadableStream,
      duplex: 'half',
    } as RequestInit);
    expect(res2.status).toBe(413);
    expect(lastReason()).toBe('BODY_TOO_LARGE');
  });
  test('nothing rejected reached a handler', () => {
    expect(seen.filter((s) => s.event.kind === 'unknown' && s.event.type.includes('not xml'))).toHaveLength(0);
  });
});

describe('health', () => {
  test('/healthz and /readyz', async () => {
    expect(await (await fetch(`${bot.baseUrl}/healthz`)).json()).toEqual({ status: 'ok' });
    const ready = await fetch(`${bot.baseUrl}/readyz`);
    expect(ready.status).toBe(200);
  });
});
