/**
 * A rep's question always gets an answer: WeCom's duplicate check (which the sandbox implements: an identical message
 * within the interval is answered ok and not delivered) is asked for only by nudges, so the same question twice, a
 * second 「没太看懂」 or a blank message each get their reply.
 */
import { createWeComApi } from '../../src/main/wecom-api';
import { createRedis } from '../../src/store/redis';
import { captureLogger, REDIS_URL, VECTOR_A, waitFor } from '../helpers/config';
import { REP, startLedgerBot } from '../helpers/ledger-harness';

let bot: Awaited<ReturnType<typeof startLedgerBot>>;
beforeAll(async () => {
  bot = await startLedgerBot('answers');
  bot.sandbox.addUser({ userid: REP, name: '张三' });
});
afterAll(async () => {
  await bot.close();
});

const texts = () => bot.sandbox.inbox(REP).map((m) => (m.body.msgtype === 'text' ? m.body.text.content : ''));

test('the sandbox drops an identical message within the interval only when the check is asked for', async () => {
  const redis = createRedis(REDIS_URL, 'general');
  const api = createWeComApi(bot.config, redis, { now: () => Date.now() }, captureLogger('silent').log);
  try {
    const body = { msgtype: 'text' as const, text: { content: '重复检查' }, touser: REP, agentid: 218 };
    await api.sendMessage(body);
    await api.sendMessage(body);
    expect(texts().filter((t) => t === '重复检查')).toHaveLength(2);
    const dropped = await api.sendMessage({ ...body, enable_duplicate_check: 1, duplicate_check_interval: 300 });
    expect(dropped.errcode).toBe(0);
    expect(texts().filter((t) => t === '重复检查')).toHaveLength(2);
    await api.sendMessage({ ...body, text: { content: '另一条' }, enable_duplicate_check: 1, duplicate_check_interval: 300 });
    expect(texts().filter((t) => t === '另一条')).toHaveLength(1);
  } finally {
    redis.disconnect();
  }
});

test('「今日」 asked twice 30 s apart, a second unclear message and a blank one: every one answered', async () => {
  const t0 = Math.floor(Date.now() / 1000) - 120;
  const ask = (msgId: string, content: string, at: number) =>
    bot.send({ kind: 'app_text', corpId: VECTOR_A.corpId, createTime: at, msgId, fromUser: REP, content, agentId: '218' });
  const before = texts().length;
  await ask('8300000000000000001', '今日', t0);
  await waitFor(() => texts().length === before + 1, { timeoutMs: 10_000 });
  await ask('8300000000000000002', '今日', t0 + 30);
  await ask('8300000000000000003', '这个怎么弄', t0 + 40);
  await ask('8300000000000000004', '那个怎么弄', t0 + 50);
  await ask('8300000000000000005', '   ', t0 + 60);
  await waitFor(() => texts().length === before + 5, { timeoutMs: 10_000 });
  const answers = texts().slice(before);
  expect(answers[0]).toBe(answers[1]);
  expect(answers.filter((a) => a.startsWith('没太看懂')).length).toBeGreaterThanOrEqual(2);
  await new Promise((r) => setTimeout(r, 300));
  expect(texts().length).toBe(before + 5);
});

test('a voice message, a picture, a file or a location sent to the app is answered: only text is read, and how to write it', async () => {
  const t0 = Math.floor(Date.now() / 1000) - 60;
  const before = texts().length;
  const kinds = ['voice', 'image', 'file', 'location', 'link', 'video'];
  for (const [i, msgType] of kinds.entries())
    await bot.send({ kind: 'app_media', corpId: VECTOR_A.corpId, createTime: t0 + i, msgId: `830000000000001000${i}`, fromUser: REP, msgType, agentId: '218' });
  await waitFor(() => texts().length === before + kinds.length, { timeoutMs: 10_000 });
  const answers = texts().slice(before);
  expect(answers.filter((a) => a.startsWith('收到语音，不过我只读文字。用输入法的语音转文字'))).toHaveLength(1);
  for (const label of ['图片', '文件', '位置', '链接', '视频'])
    expect(answers).toContain(`收到${label}，不过我只读文字。可以这样写：电话 王总 20分钟 / 定位 王总 比价 / 今日`);
  // WeCom retries the same voice message: answered once.
  await bot.send({ kind: 'app_media', corpId: VECTOR_A.corpId, createTime: t0, msgId: '8300000000000010000', fromUser: REP, msgType: 'voice', agentId: '218' });
  await new Promise((r) => setTimeout(r, 300));
  expect(texts().length).toBe(before + kinds.length);
});

test('to the robot: a voice message WeCom transcribed is read as typed; a picture or an untranscribed voice message is answered', async () => {
  const robot = () =>
    bot.sandbox
      .inbox(REP)
      .filter((m) => m.channel === 'robot')
      .map((m) => (m.body.msgtype === 'markdown' ? m.body.markdown.content : ''));
  const before = robot().length;
  const say = (msgId: string, msgType: string, text: string) =>
    bot.send({ kind: 'bot_message', createTime: 0, msgId, chatType: 'single', fromUser: REP, responseUrl: bot.sandbox.robotResponseUrl(REP), msgType, text });
  await say('CAIQvoice0001', 'voice', '帮助');
  await say('CAIQvoice0002', 'voice', '');
  await say('CAIQimage0001', 'image', '');
  await waitFor(() => robot().length === before + 3, { timeoutMs: 10_000 });
  const answers = robot().slice(before);
  expect(answers.some((a) => a.startsWith('跟进助手可以这样用'))).toBe(true);
  expect(answers.some((a) => a.startsWith('收到语音，不过我只读文字'))).toBe(true);
  expect(answers.some((a) => a.startsWith('收到图片，不过我只读文字'))).toBe(true);
});
