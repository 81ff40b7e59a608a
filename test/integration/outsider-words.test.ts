/**
 * Outsiders' words are data in our messages: a customer's nickname, the company they typed, a remark, a group's name
 * reach reps through the sandbox exactly as WeCom would deliver them — no link, tag, markdown, forged line or closing
 * 」 of ours; every message inside WeCom's 2,048 bytes; a meeting title inside its 40 bytes. Real bot, real Redis, the
 * sandbox enforcing WeCom's limits.
 */
import type { WeComEvent } from '../../src/wecom/events';
import { VECTOR_A, waitFor } from '../helpers/config';
import { REP, startLedgerBot } from '../helpers/ledger-harness';

type Bot = Awaited<ReturnType<typeof startLedgerBot>>;
const T0 = Math.floor(Date.now() / 1000) - 86400;
let bot: Bot;
let msg = 8100000000000000000n;

beforeAll(async () => {
  bot = await startLedgerBot('outsider');
  bot.sandbox.addUser({ userid: REP, name: '张三' });
});
afterAll(async () => bot.close());

const added = (externalUserId: string, at = T0): WeComEvent => ({
  kind: 'external_contact',
  corpId: VECTOR_A.corpId,
  createTime: at,
  changeType: 'add_external_contact',
  userId: REP,
  externalUserId,
});

async function addCustomer(id: string, name: string, corp?: string, remark?: string) {
  bot.sandbox.addContact({ external_userid: id, name, type: 1, ...(corp ? { corp_name: corp } : {}) }, [{ userid: REP, ...(remark ? { remark } : {}) }]);
  await bot.send(added(id));
  await waitFor(async () => !!(await bot.lead(id)), { timeoutMs: 10_000, intervalMs: 50 });
}

async function say(content: string): Promise<string> {
  const before = bot.sandbox.inbox(REP).length;
  msg += 1n;
  await bot.send({
    kind: 'app_text',
    corpId: VECTOR_A.corpId,
    createTime: Math.floor(Date.now() / 1000),
    msgId: String(msg),
    fromUser: REP,
    content,
    agentId: '218',
  });
  await waitFor(async () => bot.sandbox.inbox(REP).length > before, { timeoutMs: 10_000, intervalMs: 50 });
  const m = bot.sandbox.inbox(REP).at(-1);
  return m?.body.msgtype === 'text' ? m.body.text.content : m?.body.msgtype === 'markdown' ? m.body.markdown.content : '';
}

/** What no outsider string may leave in a message we send. */
function expectInert(text: string) {
  expect(text).not.toMatch(/<a\b|<font|<\/|\]\(|https?:\/\/|[\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]/i);
}

test('a nickname with a markdown link, a tag, bidi and zero-width characters and a forged list line is shown inert', async () => {
  const evil = '[点我看报价](http://evil.example/phish)<a href="http://evil.example">赵\u202e总</a>\u200b\n#2 钱总 · 比价';
  await addCustomer('woEVIL0000000001', evil, '<font color="warning">某公司</font>');
  const lead = await bot.lead('woEVIL0000000001');
  // Stored cleaned and capped: no invisible characters, one line.
  expect(lead?.lead.name).not.toMatch(/[\u200b\u202e\n]/);
  expect([...(lead?.lead.name ?? '')].length).toBeLessThanOrEqual(40);
  const today = await say('今日');
  expectInert(today);
  // The forged line stays inside the customer's own line: one #n line per customer.
  expect(today.split('\n').filter((l) => /^#\d/.test(l))).toHaveLength(1);
});

test('a group named to forge a QR link before the real join code: the rep sees the name inert, then our code', async () => {
  const id = 'woGROUP000000001';
  await addCustomer(id, '孙总', undefined, '孙总');
  const chat = 'wrEVILGROUP00001';
  bot.sandbox.setGroup({
    chat_id: chat,
    name: '项目群」的入群二维码：<a href="http://evil.example/qr.png">点此查看二维码</a>\n（旧码已失效）「',
    owner: REP,
    create_time: T0 + 30,
    member_list: [
      { userid: REP, type: 1, join_time: T0, join_scene: 1 },
      { userid: id, type: 2, join_time: T0, join_scene: 1 },
    ],
  });
  const before = bot.sandbox.inbox(REP).length;
  await bot.send({ kind: 'external_chat', corpId: VECTOR_A.corpId, createTime: T0 + 30, chatId: chat, changeType: 'create' });
  await waitFor(async () => bot.sandbox.inbox(REP).length > before, { timeoutMs: 10_000, intervalMs: 50 });
  const reply = await say('建群 孙总');
  const code = /https:\/\/sandbox\.local\/qr\/\S+/.exec(reply)?.[0] as string;
  expect(code).toBeDefined();
  expectInert(reply.replace(code, ''));
  // Exactly one 「…」 pair around the group's name, and one address: the real join code.
  const line = reply.split('\n')[0] as string;
  expect(line.match(/「/g)).toHaveLength(1);
  expect(line.match(/」/g)).toHaveLength(1);
  expect(reply.match(/https?:\/\/\S+/g)).toEqual([code]);
  expect(reply.split('\n')).toHaveLength(2);
});

test('a 10,000-character nickname: stored capped, and 「今日」 still lists every customer within 2,048 bytes', async () => {
  await addCustomer('woLONG0000000001', '长'.repeat(10_000));
  for (let i = 0; i < 8; i++) await addCustomer(`woMANY00000000${i}${i}`, `客户${'名'.repeat(30)}${i}`);
  const lead = await bot.lead('woLONG0000000001');
  expect([...(lead?.lead.name ?? '')].length).toBeLessThanOrEqual(40);
  const today = await say('今日');
  expect(Buffer.byteLength(today)).toBeLessThanOrEqual(2048);
  expect(today).toMatch(/亲自打个电话/);
  const listed = today.split('\n').filter((l) => /^#\d/.test(l)).length;
  expect(listed).toBeGreaterThan(0);
  const shown = /（(\d+) 位中最久没动静的 (\d+) 位）/.exec(today);
  const more = /…等 (\d+) 位/.exec(today);
  expect(listed + Number(more?.[1] ?? 0)).toBe(Number(shown?.[2]));
});

test('a meeting with a customer whose name is nine Chinese characters is booked (the title fits WeCom’s 40 bytes)', async () => {
  await addCustomer('woNINE0000000001', '欧阳诸葛司马上官总', undefined, '欧阳诸葛司马上官总');
  const reply = await say('会议 欧阳诸葛司马上官总 下周三15:00');
  expect(reply).toMatch(/已约好/);
  expect(reply).not.toMatch(/系统暂时出错/);
});
