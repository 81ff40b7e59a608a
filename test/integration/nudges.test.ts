import { DateTime } from 'luxon';
import { ManualClock } from '../../src/domain/clock';
import type { InboxMessage } from '../../tools/sandbox/wecom-sandbox';
import { VECTOR_A, waitFor } from '../helpers/config';
import { REP, startLedgerBot } from '../helpers/ledger-harness';
import { startSandbox } from '../helpers/sandbox';

// A Wednesday 10:00 in Shanghai, in the future (the sandbox refuses meetings in the past).
const start = DateTime.now().setZone('Asia/Shanghai').plus({ weeks: 1 }).set({ weekday: 3, hour: 10, minute: 0, second: 0, millisecond: 0 });
const clock = new ManualClock(start.toMillis());
const CUSTOMER = 'woQUIET0000001';
const DAY = 86_400_000;

type Bot = Awaited<ReturnType<typeof startLedgerBot>>;
let bot: Bot;

beforeAll(async () => {
  const sb = await startSandbox({ corpId: VECTOR_A.corpId, secret: 'test-secret', agentId: 218, clock: () => clock.now() });
  sb.sandbox.addUser({ userid: REP, name: '张三', direct_leader: ['lisi'] }).addUser({ userid: 'lisi', name: '李四' });
  sb.sandbox.addContact({ external_userid: CUSTOMER, name: '王建国', type: 1, corp_name: '新疆某学校' }, [{ userid: REP, remark: '王总', state: '询价单' }]);
  bot = await startLedgerBot('nudges', { ...sb, clock });
});
afterAll(async () => bot.close());

const cards = (): InboxMessage[] => bot.sandbox.inbox(REP).filter((m) => m.msgtype === 'template_card');
const sweep = () => bot.bot.worker!.nudger.sweep(500);
async function drainSends(expected: number) {
  await waitFor(() => bot.sandbox.inbox(REP).length >= expected, { timeoutMs: 10_000 });
}

test('a new lead gets the positioning question; positioning resolves it', async () => {
  await bot.send({
    kind: 'external_contact',
    corpId: VECTOR_A.corpId,
    createTime: Math.floor(clock.now() / 1000),
    changeType: 'add_external_contact',
    userId: REP,
    externalUserId: CUSTOMER,
    state: '询价单',
  });
  await waitFor(async () => !!(await bot.lead(CUSTOMER)));
  expect((await sweep()).sent).toBe(0); // not before two hours
  clock.advance(2 * 3_600_000);
  expect((await sweep()).sent).toBe(1);
  await drainSends(1);
  const card = cards()[0];
  expect(card?.body.msgtype === 'template_card' && card.body.template_card.sub_title_text).toContain('您是出来比价的，还是不确定买不买');
  // the rep answers 比价
  await bot.send({
    kind: 'app_text',
    corpId: VECTOR_A.corpId,
    createTime: Math.floor(clock.now() / 1000),
    msgId: '8000000000000000001',
    fromUser: REP,
    content: '定位 王总 比价',
    agentId: '218',
  });
  await waitFor(async () => (await bot.lead(CUSTOMER))?.lead.state === 'price_check');
  clock.advance(3_600_000);
  expect((await sweep()).sent).toBe(0);
});

test('three quiet days → exactly one quiet nudge, even with two workers sweeping at once', async () => {
  clock.advance(3 * DAY); // Saturday 13:00: outside business days
  expect((await sweep()).sent).toBe(0);
  clock.set(start.plus({ days: 5 }).toMillis()); // Monday 10:00, five days after the lead arrived
  // A second worker process's nudger, same Redis: both sweep the same due leads.
  const before = cards().length;
  const [a, b] = await Promise.all([sweep(), bot.bot.worker!.nudger.sweep(500)]);
  expect(a.sent + b.sent).toBe(1);
  await drainSends(bot.sandbox.inbox(REP).length + 0);
  await waitFor(() => cards().length === before + 1);
  await new Promise((r) => setTimeout(r, 300));
  expect(cards()).toHaveLength(before + 1);
  const quiet = cards().at(-1);
  const card = quiet?.body.msgtype === 'template_card' ? quiet.body.template_card : undefined;
  expect(card?.main_title.title).toMatch(/王总已经 5 天没动静/);
  expect(card?.button_list.map((x) => x.text)).toEqual(['已打电话', '约会议', '稍后提醒', '已输单']);
  // Sweeping again sends nothing new.
  expect((await sweep()).sent).toBe(0);
});

test('clicking 已打电话 logs the call, resolves the nudge and updates the card', async () => {
  const msg = cards().at(-1) as InboxMessage;
  const card = msg.body.msgtype === 'template_card' ? msg.body.template_card : undefined;
  const key = card?.button_list[0]?.key as string;
  await bot.send({
    kind: 'template_card_event',
    corpId: VECTOR_A.corpId,
    createTime: Math.floor(clock.now() / 1000),
    fromUser: REP,
    eventKey: key,
    taskId: card?.task_id as string,
    cardType: 'button_interaction',
    responseCode: msg.response_code,
    agentId: '218',
    selectedItems: [],
  });
  await waitFor(() => msg.updates.length === 1);
  expect(msg.updates[0]?.button?.replace_name).toBe('已处理：已打电话');
  // The press is logged last (after the card's update and the reply are queued), so a retry finishes the job: wait for it.
  const doc = await waitFor(async () => {
    const d = await bot.lead(CUSTOMER);
    return d?.timeline.some((e) => e.kind === 'nudge_acted') ? d : undefined;
  });
  expect(doc?.timeline.map((e) => e.kind)).toEqual(expect.arrayContaining(['nudge_sent', 'nudge_acted', 'call']));
  await waitFor(() =>
    bot.sandbox.inbox(REP).some((m) => m.msgtype === 'text' && m.body.msgtype === 'text' && m.body.text.content.includes('记下了和王总通了电话')),
  );
  clock.advance(3_600_000);
  expect((await sweep()).sent).toBe(0);
});

test('约会议 on a card creates a WeCom meeting and returns the link', async () => {
  await bot.send({
    kind: 'app_text',
    corpId: VECTOR_A.corpId,
    createTime: Math.floor(clock.now() / 1000),
    msgId: '8000000000000000002',
    fromUser: REP,
    content: '要方案 王总',
    agentId: '218',
  });
  await waitFor(async () => !!(await bot.lead(CUSTOMER))?.timeline.some((e) => e.kind === 'proposal_requested'));
  clock.advance(4 * 3_600_000);
  expect((await sweep()).sent).toBe(1);
  await waitFor(() => cards().some((m) => m.body.msgtype === 'template_card' && m.body.template_card.main_title.title.includes('要方案')));
  const msg = cards().find((m) => m.body.msgtype === 'template_card' && m.body.template_card.main_title.title.includes('要方案')) as InboxMessage;
  const card = msg.body.msgtype === 'template_card' ? msg.body.template_card : undefined;
  expect(card?.button_list[0]?.text).toBe('约会议');
  await bot.send({
    kind: 'template_card_event',
    corpId: VECTOR_A.corpId,
    createTime: Math.floor(clock.now() / 1000),
    fromUser: REP,
    eventKey: card?.button_list[0]?.key as string,
    taskId: card?.task_id as string,
    cardType: 'button_interaction',
    responseCode: msg.response_code,
    agentId: '218',
    selectedItems: [],
  });
  await waitFor(() => bot.sandbox.meetings.length === 1);
  await waitFor(() => bot.sandbox.inbox(REP).some((m) => m.body.msgtype === 'text' && m.body.text.content.includes('会议链接：https://meeting')));
  expect((await bot.lead(CUSTOMER))?.timeline.some((e) => e.kind === 'meeting_scheduled')).toBe(true);
});

test('建群 on a card: steps while there is no group; once the group exists, its QR join code', async () => {
  const press = (n: number) =>
    bot.send({
      kind: 'template_card_event',
      corpId: VECTOR_A.corpId,
      createTime: Math.floor(clock.now() / 1000) + n,
      fromUser: REP,
      eventKey: `group:${CUSTOMER}:n-grouptest${n}`,
      taskId: `n-grouptest${n}`,
      cardType: 'button_interaction',
      agentId: '218',
      selectedItems: [],
    });
  const texts = () => bot.sandbox.inbox(REP).flatMap((m) => (m.body.msgtype === 'text' ? [m.body.text.content] : []));
  await press(1);
  await waitFor(() => texts().some((t) => t.startsWith('给王总拉个工作群')));
  expect(texts().find((t) => t.startsWith('给王总拉个工作群'))).toMatch(/群建好后我会自动记到这个客户名下，并把入群二维码发给你/);

  // The rep makes the group in the WeCom client; WeCom tells us; the rep gets the code without asking.
  bot.sandbox.setGroup({
    chat_id: 'wrQUIETGROUP001',
    name: '王总方案群',
    owner: REP,
    create_time: Math.floor(clock.now() / 1000),
    member_list: [
      { userid: REP, type: 1, join_time: 0, join_scene: 1 },
      { userid: CUSTOMER, type: 2, join_time: 0, join_scene: 1 },
    ],
  });
  await bot.send({
    kind: 'external_chat',
    corpId: VECTOR_A.corpId,
    createTime: Math.floor(clock.now() / 1000),
    chatId: 'wrQUIETGROUP001',
    changeType: 'create',
  });
  await waitFor(() => texts().some((t) => t.includes('工作群「王总方案群」建好了')));
  const qr = /入群二维码：(\S+)/.exec(texts().find((t) => t.includes('工作群「王总方案群」建好了')) ?? '')?.[1];
  expect(qr).toMatch(/^https:\/\/sandbox\.local\/qr\/join\//);

  // 建群 again (a widen_chain card, say): the same code, not a new one.
  await press(2);
  await waitFor(() => texts().some((t) => t.startsWith('「王总方案群」的入群二维码')));
  expect(texts().find((t) => t.startsWith('「王总方案群」的入群二维码'))).toContain(qr as string);
  expect(bot.sandbox.count('externalcontact/groupchat/add_join_way')).toBe(1);
});

test('a rep who asks the same thing twice, minutes apart, gets both answers (WeCom’s duplicate check is kept short)', async () => {
  const helps = () => bot.sandbox.inbox(REP).filter((m) => m.body.msgtype === 'text' && m.body.text.content.startsWith('跟进助手可以这样用'));
  const before = helps().length;
  const ask = (msgId: string) =>
    bot.send({ kind: 'app_text', corpId: VECTOR_A.corpId, createTime: Math.floor(clock.now() / 1000), msgId, fromUser: REP, content: '帮助', agentId: '218' });
  await ask('8000000000000000101');
  await waitFor(() => helps().length === before + 1);
  clock.advance(6 * 60_000);
  await ask('8000000000000000102');
  await waitFor(() => helps().length === before + 2);
});

test('a press the bot cannot act on (a lead that is gone, a key that is not ours) is answered, not met with silence', async () => {
  const stale = () => bot.sandbox.inbox(REP).filter((m) => m.body.msgtype === 'text' && m.body.text.content.startsWith('这张卡片已失效'));
  const before = stale().length;
  for (const [n, eventKey] of ['called:woGONE0000000099:n-gone1', 'nonsense'].entries())
    await bot.send({
      kind: 'template_card_event',
      corpId: VECTOR_A.corpId,
      createTime: Math.floor(clock.now() / 1000) + 100 + n,
      fromUser: REP,
      eventKey,
      taskId: `n-stale${n}`,
      cardType: 'button_interaction',
      agentId: '218',
      selectedItems: [],
    });
  await waitFor(() => stale().length === before + 2);
  expect(await bot.lead('woGONE0000000099')).toBeUndefined();
});

test('POST /api/sweep queues a sweep for operators', async () => {
  const res = await fetch(`${bot.bot.baseUrl}/api/sweep`, { method: 'POST', headers: { authorization: `Bearer ${bot.config.adminToken}` } });
  expect(res.status).toBe(202);
  expect((await fetch(`${bot.bot.baseUrl}/api/sweep`, { method: 'POST' })).status).toBe(401);
});

test('/metrics counts what the workers did: nudges by kind, card presses, messages by channel', async () => {
  const scrape = async () => (await fetch(`${bot.bot.baseUrl}/metrics`, { headers: { authorization: `Bearer ${bot.config.adminToken}` } })).text();
  const value = (text: string, labels: string) => Number(new RegExp(`wf_activity_total\\{${labels}\\} (\\d+)`).exec(text)?.[1] ?? -1);
  const text = await scrape();
  expect(value(text, 'event="nudges_sent",kind="quiet"')).toBe(1);
  expect(value(text, 'event="nudges_sent",kind="position"')).toBeGreaterThanOrEqual(1);
  expect(value(text, 'event="card_actions",kind="called"')).toBe(1);
  expect(value(text, 'event="card_actions",kind="meeting"')).toBe(1);
  // Every message the rep got in the sandbox went out as an app message and was counted once (the count follows the
  // send by a moment).
  const appMessages = bot.sandbox.inbox(REP).filter((m) => m.channel !== 'robot').length;
  await waitFor(async () => value(await scrape(), 'event="messages_sent",kind="app"') === appMessages);
});
