/**
 * The chat-archive puller on the stub of WeCom's SDK, through koffi (the same calls the real library answers): every
 * message type lands as it should, a voice call logged from the archive takes the weekly call off the list, a second
 * key version works, a version without a key is parked and replayed once the key is added, 10001 is retried, an
 * errcode inside ret 0 is not taken as data, an answer without chatdata keeps the checkpoint, a slow call does not
 * hold the event loop, a msgaudit_notify pulls at once, and a missing library or key stops only the archive role.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DateTime } from 'luxon';
import { ManualClock } from '../../src/domain/clock';
import { computeMetrics } from '../../src/domain/metrics';
import { evaluateNudges } from '../../src/domain/nudge-policy';
import type { Lead } from '../../src/domain/lead';
import type { TimelineEntry } from '../../src/domain/timeline';
import { startArchiveRole } from '../../src/main/archive';
import { archiveMessages, pointStubAt, SandboxArchive, stubSdkPath } from '../../tools/sandbox/archive';
import { captureLogger, testConfig, uniquePrefix, VECTOR_A, waitFor } from '../helpers/config';
import { REP, startLedgerBot } from '../helpers/ledger-harness';
import { startSandbox } from '../helpers/sandbox';
import { TEST_NUDGE_SETTINGS } from '../helpers/nudge-settings';

const TZ = 'Asia/Shanghai';
// A Tuesday 10:00 in the future.
const tuesday = DateTime.now().setZone(TZ).plus({ weeks: 1 }).set({ weekday: 2, hour: 10, minute: 0, second: 0, millisecond: 0 });
const clock = new ManualClock(tuesday.toMillis());
const WANG = 'woWANG0000000001';
const CHEN = 'woCHEN0000000002';
const SECRET = 'archive-sdk-secret-for-tests';

type Bot = Awaited<ReturnType<typeof startLedgerBot>>;
let bot: Bot;
let archive: SandboxArchive;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'wf-archive-'));
  archive = new SandboxArchive(dir, { versions: [1, 2], held: [3] });
  archive.requireSecret(SECRET);
  // The stub reads its directory at Init, in this process (the worker runs here).
  pointStubAt(dir);
  const sb = await startSandbox({ corpId: VECTOR_A.corpId, secret: 'test-secret', agentId: 218, clock: () => clock.now() });
  sb.sandbox.addUser({ userid: REP, name: '张三' });
  sb.sandbox.addContact({ external_userid: WANG, name: '王建国', type: 1, corp_name: '新疆某学校' }, [{ userid: REP, remark: '王总', state: '' }]);
  sb.sandbox.addContact({ external_userid: CHEN, name: '陈晓', type: 1, corp_name: '华东某制造' }, [{ userid: REP, remark: '陈经理', state: '' }]);
  bot = await startLedgerBot('archive-puller', {
    ...sb,
    clock,
    env: { WECOM_ARCHIVE_SDK_PATH: stubSdkPath(), WECOM_ARCHIVE_SECRET: SECRET, WECOM_ARCHIVE_KEYS: archive.keysDir },
    configure: (c) => {
      // Pulls come only when a test wakes the puller (or a msgaudit_notify does); retries come fast.
      Object.assign(c.policy.archive, { pullEverySeconds: 3600, maxBackoffSeconds: 1, stoppedRetryMinutes: 0.01, leaseSeconds: 5 });
    },
  });
  for (const customer of [WANG, CHEN]) await addContact(customer);
}, 60_000);

/** WeCom's add_external_contact for the rep and a customer, and the lead it makes. */
async function addContact(customer: string): Promise<void> {
  await bot.send({
    kind: 'external_contact',
    corpId: VECTOR_A.corpId,
    createTime: Math.floor(clock.now() / 1000),
    changeType: 'add_external_contact',
    userId: REP,
    externalUserId: customer,
  });
  await waitFor(async () => (await bot.lead(customer)) !== undefined);
}

afterAll(async () => {
  await bot.close();
  rmSync(dir, { recursive: true, force: true });
});

const admin = () => ({ authorization: `Bearer ${bot.config.adminToken}` });
const api = async <T>(p: string, init: RequestInit = {}) => (await (await fetch(`${bot.bot.baseUrl}${p}`, { ...init, headers: admin() })).json()) as T;
const status = () =>
  api<{ checkpoint: number; parked: number; stopped?: string | null; errors: Record<string, number>; gapAt: string | null; replayed: number }>(
    '/api/archive/status',
  );
const puller = () => bot.bot.worker!.archive!.puller;
const entries = async (id: string) => (await bot.lead(id))!.timeline.filter((e) => e.source === 'archive');
const at = (minutesAgo: number) => clock.now() - minutesAgo * 60_000;

/** Writes messages to the archive, wakes the puller and waits until its checkpoint has passed them. */
async function pull(messages: Record<string, unknown>[], version = 1): Promise<number> {
  const seqs = archive.append(messages, version);
  const last = seqs[seqs.length - 1] as number;
  puller().wake();
  await waitFor(async () => (await status()).checkpoint >= last, { timeoutMs: 15_000 });
  return last;
}

const msg = (msgtype: string, payload: Record<string, unknown>, o: { from?: string; to?: string[]; msgid?: string; minutesAgo?: number } = {}) => ({
  msgid: o.msgid,
  action: 'send',
  from: o.from ?? WANG,
  tolist: o.to ?? [REP],
  roomid: '',
  msgtime: at(o.minutesAgo ?? 5),
  msgtype,
  ...payload,
});

test('the stub exports exactly the 17 functions of WeWorkFinanceSdk_C.h', () => {
  const out = execFileSync('nm', ['-D', '--defined-only', stubSdkPath()], { encoding: 'utf8' });
  const names = out
    .split('\n')
    .filter(Boolean)
    .map((l) => l.split(' ').pop())
    .sort();
  expect(names).toEqual(
    [
      'DecryptData',
      'DestroySdk',
      'FreeMediaData',
      'FreeSlice',
      'GetChatData',
      'GetContentFromSlice',
      'GetData',
      'GetDataLen',
      'GetIndexLen',
      'GetMediaData',
      'GetOutIndexBuf',
      'GetSliceLen',
      'Init',
      'IsMediaDataFinish',
      'NewMediaData',
      'NewSdk',
      'NewSlice',
    ].sort(),
  );
});

test('every message type lands as what it is', async () => {
  const mixed = {
    mixed: {
      item: [
        { type: 'text', content: JSON.stringify({ content: '报价单发我一份' }) },
        { type: 'image', content: '{}' },
      ],
    },
  };
  await pull([
    msg('text', { text: { content: '你好，报价单发我' } }, { msgid: 't-text' }),
    msg('mixed', mixed, { msgid: 't-mixed' }),
    msg('image', { image: { md5sum: 'x', filesize: 1, sdkfileid: 'f' } }, { msgid: 't-image' }),
    msg('voice', { voice: { play_length: 9, sdkfileid: 'v' } }, { msgid: 't-voice' }),
    msg('video', { video: { play_length: 9, sdkfileid: 'v' } }, { msgid: 't-video' }),
    msg('file', { file: { filename: '需求.docx', fileext: 'docx' } }, { msgid: 't-file' }),
    msg('link', { link: { title: '官网', link_url: 'https://example.com' } }, { msgid: 't-link' }),
    msg('location', { location: { address: '乌鲁木齐' } }, { msgid: 't-location' }),
    msg('card', { card: { corpname: '某公司', userid: 'x' } }, { msgid: 't-card' }),
    msg('emotion', { emotion: { type: 1 } }, { msgid: 't-emotion' }),
    msg('chatrecord', { chatrecord: { title: '聊天记录', item: [] } }, { msgid: 't-chatrecord' }),
    msg('docmsg', { doc: { title: '需求文档', link_url: 'https://doc.example.com' } }, { msgid: 't-docmsg', from: REP, to: [WANG] }),
    msg('markdown', { info: { content: '**要点**' } }, { msgid: 't-markdown', from: REP, to: [WANG] }),
    msg('news', { info: { item: [{ title: '新闻' }] } }, { msgid: 't-news', from: REP, to: [WANG] }),
    msg('brand_new_type', { brand_new_type: { x: 1 } }, { msgid: 't-unknown' }),
    { msgid: 't-revoke', action: 'recall', from: WANG, tolist: [REP], roomid: '', msgtime: at(4), msgtype: 'revoke', revoke: { pre_msgid: 't-text' } },
    archiveMessages.call({ user: REP, external: WANG, minutes: 12, at: at(3), msgid: 't-call' }),
    {
      ...msg('meeting_voice_call', {}, { msgid: 't-meeting', from: REP, to: [WANG], minutesAgo: 60 }),
      voiceid: 'vid',
      meeting_voice_call: { endtime: Math.floor(at(60) / 1000) + 1800, sdkfileid: 's' },
    },
    {
      msgid: 't-disagree',
      action: 'send',
      from: CHEN,
      tolist: [REP],
      roomid: '',
      msgtime: at(2),
      msgtype: 'disagree',
      disagree: { userid: CHEN, disagree_time: at(2) },
    },
    // Not a chat message: a 切换企业 log (no msgtype) is skipped and counted.
    { msgid: 't-switch', action: 'switch', time: at(1), user: REP },
  ]);
  const byId = Object.fromEntries((await entries(WANG)).map((e) => [e.id, e]));
  expect(byId['archive:t-text']).toMatchObject({ kind: 'customer_message', msgtype: 'text', customerInitiated: true, note: '你好，报价单发我' });
  expect(byId['archive:t-mixed']).toMatchObject({ kind: 'customer_message', msgtype: 'mixed', note: '报价单发我一份' });
  for (const [t, label] of [
    ['image', '图片'],
    ['voice', '语音'],
    ['video', '视频'],
    ['file', '文件'],
    ['link', '链接'],
    ['location', '位置'],
    ['card', '名片'],
    ['emotion', '表情'],
    ['chatrecord', '聊天记录'],
  ])
    expect(byId[`archive:t-${t}`]).toMatchObject({ kind: 'customer_message', msgtype: t, customerInitiated: true, note: `[${label}]` });
  for (const t of ['docmsg', 'markdown', 'news']) expect(byId[`archive:t-${t}`]).toMatchObject({ kind: 'rep_message', msgtype: t, actor: REP });
  expect(byId['archive:t-docmsg']?.customerInitiated).toBeUndefined();
  expect(byId['archive:t-unknown']).toMatchObject({ kind: 'customer_message', msgtype: 'unknown', note: '[其他消息]' });
  expect(byId['archive:t-revoke']).toMatchObject({ recalls: 'archive:t-text', msgtype: 'revoke' });
  expect(byId['archive:t-call']).toMatchObject({ kind: 'call', minutes: 12, outcome: 'talked', actor: REP, source: 'archive', msgtype: 'voiptext' });
  expect(byId['archive:t-meeting']).toMatchObject({ kind: 'meeting_held', minutes: 30, actor: REP });
  // The mixed message's proposal request stands; the recalled text's does not count for the suggestions.
  expect(byId['archive:t-mixed:proposal']).toMatchObject({ kind: 'proposal_requested', customerInitiated: true });
  const wang = await bot.lead(WANG);
  expect(wang!.metrics.calls7d).toBe(1);
  const chen = await bot.lead(CHEN);
  expect(chen!.lead.archiveConsent).toEqual({ agreed: false, at: new Date(at(2)).toISOString() });
  await waitFor(() => bot.sandbox.inbox(REP).some((m) => m.body.msgtype === 'text' && m.body.text.content.includes('陈经理')));
  const s = await status();
  expect(s).toMatchObject({ checkpoint: archive.lastSeq, parked: 0 });
  // Every slice the puller took was freed (the stub counts them: only the one in use is live at each answer).
  expect(archive.calls().every((c) => c.slicesLive <= 1)).toBe(true);
  // What operators scrape: the same counts, read from Redis.
  const metrics = await (await fetch(`${bot.bot.baseUrl}/metrics`, { headers: admin() })).text();
  expect(metrics).toContain(`wf_archive{kind="checkpoint_seq"} ${archive.lastSeq}`);
  expect(metrics).toMatch(/wf_archive_records_total\{stage="applied"\} 19\b/);
  expect(metrics).toMatch(/wf_archive_records_total\{stage="skipped"\} 1\b/);
  expect(metrics).toContain('wf_archive{kind="parked"} 0');
  // Pulled again from the start (a crash before the checkpoint moved): nothing is added twice.
  const before = (await entries(WANG)).length;
  await puller().replayParked();
  expect((await entries(WANG)).length).toBe(before);
});

test('a second key version works; a version with no key is parked, listed and replayed once the key is added', async () => {
  await pull([msg('text', { text: { content: '第二版密钥的消息' } }, { msgid: 'v2-text', from: CHEN, to: [REP] })], 2);
  expect((await entries(CHEN)).map((e) => e.id)).toContain('archive:v2-text');
  const seq = await pull([msg('text', { text: { content: '新密钥的消息' } }, { msgid: 'v3-text', from: CHEN, to: [REP] })], 3);
  // The checkpoint moved on (the record is kept, not lost), and the record is parked, not applied.
  expect((await entries(CHEN)).map((e) => e.id)).not.toContain('archive:v3-text');
  const parked = await api<{ total: number; items: { seq: number; msgid: string; publickeyVer: number; reason: string }[] }>('/api/archive/parked');
  expect(parked).toMatchObject({ total: 1, items: [{ seq, msgid: 'v3-text', publickeyVer: 3, reason: 'missing_key' }] });
  expect(bot.bot.lines.some((l) => l.reason === 'archive.parked' && l.level === 'error')).toBe(true);
  // The admin adds the private key of version 3 and asks for a replay.
  archive.releaseKey(3);
  const res = await fetch(`${bot.bot.baseUrl}/api/archive/parked/retry`, { method: 'POST', headers: admin() });
  expect(res.status).toBe(202);
  await waitFor(async () => (await entries(CHEN)).some((e) => e.id === 'archive:v3-text'), { timeoutMs: 10_000 });
  expect(await status()).toMatchObject({ parked: 0, replayed: 1 });
});

test('10001 is retried with backoff until the network is back', async () => {
  archive.setMode('ret 10001');
  const seqs = archive.append([msg('text', { text: { content: '网络好了再来' } }, { msgid: 'net-1' })]);
  puller().wake();
  await waitFor(() => archive.calls().filter((c) => c.ret === 10001).length >= 2, { timeoutMs: 10_000 });
  expect((await entries(WANG)).map((e) => e.id)).not.toContain('archive:net-1');
  archive.setMode('');
  await waitFor(async () => (await status()).checkpoint >= (seqs[0] as number), { timeoutMs: 10_000 });
  expect((await entries(WANG)).map((e) => e.id)).toContain('archive:net-1');
  expect((await status()).errors['sdk:10001']).toBeGreaterThanOrEqual(2);
});

test('an errcode inside ret 0 is not data; an answer without chatdata keeps the checkpoint', async () => {
  const start = (await status()).checkpoint;
  archive.setMode('errcode 41001');
  const [seq] = archive.append([msg('text', { text: { content: '错误码里的消息' } }, { msgid: 'err-1' })]);
  puller().wake();
  await waitFor(async () => (await status()).stopped === 'errcode:41001', { timeoutMs: 10_000 });
  expect((await status()).checkpoint).toBe(start);
  expect(bot.bot.lines.some((l) => l.reason === 'archive.failed' && l.code === 'errcode:41001' && String(l.msg).includes('WECOM_ARCHIVE_SECRET'))).toBe(true);
  archive.setMode('no_chatdata');
  const calls = archive.calls().length;
  puller().wake();
  // Answered without chatdata: caught up, the checkpoint where it was.
  await waitFor(async () => archive.calls().length > calls && !(await status()).stopped, { timeoutMs: 10_000 });
  expect((await status()).checkpoint).toBe(start);
  expect((await entries(WANG)).map((e) => e.id)).not.toContain('archive:err-1');
  archive.setMode('');
  puller().wake();
  await waitFor(async () => (await status()).checkpoint >= (seq as number), { timeoutMs: 10_000 });
  expect((await entries(WANG)).map((e) => e.id)).toContain('archive:err-1');
  expect((await status()).stopped ?? undefined).toBeUndefined();
});

test('a slow GetChatData runs off the event loop: the bot answers while it waits', async () => {
  archive.setMode('slow 1500');
  const calls = archive.calls().length;
  puller().wake();
  await new Promise((r) => setTimeout(r, 200));
  const started = performance.now();
  const res = await fetch(`${bot.bot.baseUrl}/healthz`);
  const tick = await new Promise<number>((resolve) => {
    const t = performance.now();
    setTimeout(() => resolve(performance.now() - t), 20);
  });
  expect(res.status).toBe(200);
  expect(performance.now() - started).toBeLessThan(500);
  expect(tick).toBeLessThan(200);
  archive.setMode('');
  await waitFor(() => archive.calls().length > calls, { timeoutMs: 10_000 });
  expect(archive.calls()[calls]!.endUs - archive.calls()[calls]!.startUs).toBeGreaterThanOrEqual(1_400_000);
});

test('a msgaudit_notify callback pulls at once', async () => {
  const [seq] = archive.append([msg('text', { text: { content: '通知后立刻拉取' } }, { msgid: 'notify-1' })]);
  await bot.send({ kind: 'msgaudit_notify', corpId: VECTOR_A.corpId, createTime: Math.floor(clock.now() / 1000), agentId: '218' });
  await waitFor(async () => (await status()).checkpoint >= (seq as number), { timeoutMs: 5_000 });
  expect((await entries(WANG)).map((e) => e.id)).toContain('archive:notify-1');
});

test('a call from the archive takes the weekly call off the list; a pause longer than the retention is reported', async () => {
  // Both positioned; eight days on, with a fresh word from each customer; only 王总 had a WeCom call yesterday.
  for (const [i, name] of ['王总', '陈经理'].entries())
    await bot.send({
      kind: 'app_text',
      corpId: VECTOR_A.corpId,
      createTime: Math.floor(clock.now() / 1000),
      msgId: `770000000000000010${i}`,
      fromUser: REP,
      agentId: '218',
      content: `定位 ${name} 比价`,
    });
  await waitFor(async () => (await bot.lead(CHEN))!.lead.state !== 'unknown' && (await bot.lead(WANG))!.lead.state !== 'unknown');
  clock.advance(8 * 86_400_000);
  await pull([
    msg('text', { text: { content: '好的收到' } }, { msgid: 'week-wang', minutesAgo: 120 }),
    msg('text', { text: { content: '好的收到' } }, { msgid: 'week-chen', from: CHEN, minutesAgo: 120 }),
    archiveMessages.call({ user: REP, external: WANG, minutes: 20, at: at(24 * 60), msgid: 'week-call' }),
  ]);
  expect((await status()).gapAt).not.toBeNull();
  expect(bot.bot.lines.some((l) => l.reason === 'archive.gap' && l.level === 'error')).toBe(true);
  const store = bot.bot.worker!.store;
  const decide = async (id: string) => {
    const lead = (await store.getLead(id)) as Lead;
    const timeline: TimelineEntry[] = await store.getTimeline(id);
    const now = clock.now();
    return evaluateNudges(lead, computeMetrics(lead, timeline, now), timeline, { ...TEST_NUDGE_SETTINGS, timeZone: TZ }, now);
  };
  const kinds = async (id: string) => {
    const e = await decide(id);
    return [e.nudge?.kind, ...e.suppressed];
  };
  expect(await kinds(CHEN)).toContain('weekly_call');
  expect(await kinds(WANG)).not.toContain('weekly_call');
  // The rep then logs the same call by command: still one call.
  await bot.send({
    kind: 'app_text',
    corpId: VECTOR_A.corpId,
    createTime: Math.floor(at(23 * 60) / 1000),
    msgId: '7700000000000000001',
    fromUser: REP,
    agentId: '218',
    content: '电话 王总 20分钟 聊了预算',
  });
  await waitFor(async () => (await bot.lead(WANG))!.timeline.some((e) => e.source === 'command' && e.kind === 'call'));
  expect((await bot.lead(WANG))!.metrics.calls7d).toBe(1);
});

test('a message that comes before its lead waits for it, and lands once the customer is a lead', async () => {
  const NEW = 'woNEW00000000009';
  bot.sandbox.addContact({ external_userid: NEW, name: '赵敏', type: 1, corp_name: '西北某医院' }, [{ userid: REP, remark: '赵主任', state: '' }]);
  await pull([
    msg('text', { text: { content: '你好，我是赵主任，想了解一下报价' } }, { msgid: 'early-1', from: NEW }),
    // Between two members: nothing to hold.
    msg('text', { text: { content: '同事之间的话' } }, { msgid: 'internal-1', from: REP, to: ['lisi'] }),
  ]);
  expect(await bot.lead(NEW)).toBeUndefined();
  await addContact(NEW);
  // The next pull (a msgaudit_notify, or the timer) applies what was held.
  await pull([msg('text', { text: { content: '收到' } }, { msgid: 'early-2', from: NEW })]);
  await waitFor(async () => (await entries(NEW)).some((e) => e.id === 'archive:early-1'), { timeoutMs: 5_000 });
  const ids = (await entries(NEW)).map((e) => e.id);
  expect(ids).toEqual(expect.arrayContaining(['archive:early-1', 'archive:early-2']));
  // Read for what it says, like any other message: the customer asked about the price.
  expect(ids.filter((id) => id.startsWith('archive:early-1:signal:')).length).toBeGreaterThan(0);
});

describe('the archive role without its parts', () => {
  const deps = () => ({ store: bot.bot.worker!.store, signals: undefined as never, outbox: undefined as never, clock });
  const roleWith = async (env: Record<string, string>) => {
    const { log, lines } = captureLogger('debug');
    const config = testConfig(uniquePrefix('archive-role'), {
      WECOM_ARCHIVE_SDK_PATH: stubSdkPath(),
      WECOM_ARCHIVE_SECRET: SECRET,
      WECOM_ARCHIVE_KEYS: archive.keysDir,
      ...env,
    });
    const role = await startArchiveRole(config, log, deps());
    return { role, failed: lines.filter((l) => l.reason === 'archive.setup_failed') };
  };

  test('a missing library: one line, and no role', async () => {
    const { role, failed } = await roleWith({ WECOM_ARCHIVE_SDK_PATH: '/nonexistent/libWeWorkFinanceSdk_C.so' });
    expect(role).toBeUndefined();
    expect(failed).toHaveLength(1);
    expect(failed[0]).toMatchObject({ code: 'ARCHIVE_SDK_MISSING', level: 'error' });
  });

  test('a bad key file: one line, and no role', async () => {
    const bad = mkdtempSync(path.join(tmpdir(), 'wf-keys-'));
    writeFileSync(path.join(bad, '1.pem'), 'not a key');
    const { role, failed } = await roleWith({ WECOM_ARCHIVE_KEYS: bad });
    rmSync(bad, { recursive: true, force: true });
    expect(role).toBeUndefined();
    expect(failed[0]).toMatchObject({ code: 'ARCHIVE_KEYS_INVALID' });
    expect(String(failed[0]!.msg)).toContain('key version 1');
  });

  test('the bot itself still answers', async () => {
    expect((await fetch(`${bot.bot.baseUrl}/readyz`)).status).toBe(200);
  });
});
