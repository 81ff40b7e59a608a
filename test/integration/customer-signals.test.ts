/**
 * Reading the customer, end to end on a real Redis, real BullMQ and the sandbox: a chat-archive message from a
 * new customer → signals with their cue, a proposal request, a benchmarking suggestion on the lead → one card to the
 * rep quoting the customer → [是，陪跑] sets the state through the rep-action core and updates the card → the same
 * batch again changes nothing; then a decision date in the customer's words → a card → the date recorded, and a
 * later date counted as a slip. Nothing is ever addressed to the customer.
 */
import { DateTime } from 'luxon';
import { ManualClock } from '../../src/domain/clock';
import { shownDate } from '../../src/domain/shown-dates';
import type { InboxMessage } from '../../tools/sandbox/wecom-sandbox';
import { VECTOR_A, waitFor } from '../helpers/config';
import { REP, startLedgerBot } from '../helpers/ledger-harness';
import { startSandbox } from '../helpers/sandbox';

const TZ = 'Asia/Shanghai';
// A Tuesday 10:00 in the future.
const tuesday = DateTime.now().setZone(TZ).plus({ weeks: 1 }).set({ weekday: 2, hour: 10, minute: 0, second: 0, millisecond: 0 });
const clock = new ManualClock(tuesday.toMillis());
const CUSTOMER = 'woSIGNAL000001';

type Bot = Awaited<ReturnType<typeof startLedgerBot>>;
let bot: Bot;

beforeAll(async () => {
  const sb = await startSandbox({ corpId: VECTOR_A.corpId, secret: 'test-secret', agentId: 218, clock: () => clock.now() });
  sb.sandbox.addUser({ userid: REP, name: '张三' });
  sb.sandbox.addContact({ external_userid: CUSTOMER, name: '王建国', type: 1, corp_name: '某某制造' }, [{ userid: REP, remark: '王总', state: '' }]);
  bot = await startLedgerBot('signals', { ...sb, clock });
});
afterAll(async () => bot.close());

const cards = () => bot.sandbox.inbox(REP).filter((m) => m.msgtype === 'template_card');
const card = (m: InboxMessage | undefined) => (m?.body.msgtype === 'template_card' ? m.body.template_card : undefined);
const sweep = () => bot.bot.worker!.nudger.sweep(500);
const record = (msgid: string, content: string, at = clock.now()) => ({
  msgid,
  action: 'send',
  from: CUSTOMER,
  tolist: [REP],
  roomid: '',
  msgtime: at,
  msgtype: 'text',
  text: { content },
});

async function press(m: InboxMessage, text: string) {
  const c = card(m);
  await bot.send({
    kind: 'template_card_event',
    corpId: VECTOR_A.corpId,
    createTime: Math.floor(clock.now() / 1000),
    fromUser: REP,
    eventKey: c?.button_list.find((b) => b.text === text)?.key as string,
    taskId: c?.task_id as string,
    cardType: 'button_interaction',
    responseCode: m.response_code,
    agentId: '218',
    selectedItems: [],
  });
}

test('a customer’s words → a benchmarking suggestion and a proposal request → one card → 是，陪跑 → the same batch again changes nothing', async () => {
  await bot.send({
    kind: 'external_contact',
    corpId: VECTOR_A.corpId,
    createTime: Math.floor(clock.now() / 1000),
    changeType: 'add_external_contact',
    userId: REP,
    externalUserId: CUSTOMER,
  });
  await waitFor(async () => !!(await bot.lead(CUSTOMER)));
  clock.advance(10 * 60_000);
  const batch = [record('sig-1', '别家已经给了报价，你们也发一份方案我们比比')];
  expect((await bot.archive(batch)).applied).toMatchObject({ accepted: 1 });

  const doc = await bot.lead(CUSTOMER);
  const signals = doc?.timeline.filter((e) => e.kind === 'signal').map((e) => [e.signal, e.cue, e.sourceEntryId]);
  expect(signals).toEqual(
    expect.arrayContaining([
      ['competitors', '别家已经给了报价', 'archive:sig-1'],
      ['proposal_request', '你们也发一份方案我们比比', 'archive:sig-1'],
    ]),
  );
  expect(doc?.timeline.filter((e) => e.kind === 'proposal_requested')).toEqual([expect.objectContaining({ customerInitiated: true, source: 'archive' })]);
  expect(doc?.lead.stateSuggestion).toMatchObject({ state: 'benchmarking', evidence: ['archive:sig-1'], cue: '别家已经给了报价' });
  expect((doc?.lead.stateSuggestion as { confidence: number }).confidence).toBeGreaterThanOrEqual(0.6);

  // The sweep sends one card, quoting the customer; it takes the place of the position nudge.
  expect((await sweep()).sent).toBe(1);
  await waitFor(() => cards().length === 1);
  const ask = cards()[0] as InboxMessage;
  expect(card(ask)?.main_title.title).toBe('王总是陪跑吗？');
  expect(card(ask)?.sub_title_text).toContain('王总说『别家已经给了报价，你们也发一份方案我们比比』——看起来已经接触过几家（陪跑）。是吗？');
  expect(card(ask)?.sub_title_text).toContain('王总还要了方案');
  expect(card(ask)?.button_list.map((b) => b.text)).toEqual(['是，陪跑', '比价', '观望', '都不是']);
  clock.advance(60_000);
  expect((await sweep()).sent).toBe(0); // one such card a day

  await press(ask, '是，陪跑');
  await waitFor(() => ask.updates.length === 1);
  expect(ask.updates[0]?.button?.replace_name).toBe('已处理：陪跑');
  await waitFor(async () => (await bot.lead(CUSTOMER))?.lead.state === 'benchmarking');
  const after = await bot.lead(CUSTOMER);
  expect(after?.lead.stateSuggestion).toBeNull();
  expect(after?.timeline.filter((e) => e.kind === 'suggestion_answered')).toEqual([expect.objectContaining({ to: 'benchmarking', note: 'state' })]);
  await waitFor(() => bot.sandbox.inbox(REP).some((m) => m.body.msgtype === 'text' && m.body.text.content.startsWith('已记录：王总 —')));

  // The rep acted: the customer's proposal request comes next, at once (they asked in their own words).
  clock.advance(60_000);
  expect((await sweep()).sent).toBe(1);
  await waitFor(() => cards().length === 2);
  expect(card(cards()[1])?.main_title.title).toBe('王总要方案：别一个人写');
  expect(card(cards()[1])?.sub_title_text).toContain('王总在消息里要了方案：『别家已经给了报价，你们也发一份方案我们比比』');

  // The rep does what it asks: one tap books a meeting (the customer's proposal request is followed).
  await press(cards()[1] as InboxMessage, '约会议');
  await waitFor(() => bot.sandbox.meetings.length === 1);
  await waitFor(async () => !!(await bot.lead(CUSTOMER))?.timeline.some((e) => e.kind === 'nudge_acted' && e.note === 'meeting'));

  // The same batch again: nothing new anywhere.
  const entries = (await bot.lead(CUSTOMER))?.timeline.length;
  expect((await bot.archive(batch)).applied).toMatchObject({ accepted: 0, duplicates: 1 });
  const again = await bot.lead(CUSTOMER);
  expect(again?.timeline.length).toBe(entries);
  expect(again?.lead.stateSuggestion).toBeNull();
  clock.advance(60_000);
  expect((await sweep()).sent).toBe(0);
  expect(cards()).toHaveLength(2);
  expect(bot.sandbox.calls.filter((c) => c.touser?.includes(CUSTOMER))).toHaveLength(0);
});

test('a decision date in the customer’s words → a card → recorded; a later one counts as a slip', async () => {
  clock.advance(24 * 3_600_000); // the next day, past the gap after the last card
  expect((await bot.archive([record('sig-2', '我们下周五开会定，到时候给你答复')])).applied).toMatchObject({ accepted: 1 });
  const friday = DateTime.fromMillis(clock.now(), { zone: TZ }).plus({ weeks: 1 }).set({ weekday: 5 }).toISODate();
  expect((await bot.lead(CUSTOMER))?.lead.decisionSuggestion).toMatchObject({ date: friday, evidence: ['archive:sig-2'] });
  const r = await sweep();
  expect({ r, titles: cards().map((m) => card(m)?.main_title.title) }).toMatchObject({ r: { sent: 1 } });
  await waitFor(() => cards().some((m) => card(m)?.main_title.title.startsWith('王总说')));
  const ask = cards().find((m) => card(m)?.main_title.title.startsWith('王总说')) as InboxMessage;
  expect(card(ask)?.button_list.map((b) => b.text)).toEqual(['对，记下', '不对']);
  await press(ask, '对，记下');
  await waitFor(async () => (await bot.lead(CUSTOMER))?.lead.decisionDate === friday);
  await waitFor(() =>
    bot.sandbox.inbox(REP).some((m) => m.body.msgtype === 'text' && m.body.text.content.startsWith(`已记下：王总 ${shownDate(friday as string)} 定。`)),
  );

  // Two days later they push it back a week: a second card, and the slip is counted.
  clock.advance(2 * 86_400_000);
  expect((await bot.archive([record('sig-3', '不好意思，领导出差了，改到下下周五再定')])).applied).toMatchObject({ accepted: 1 });
  const doc = await bot.lead(CUSTOMER);
  const later = doc?.lead.decisionSuggestion as { date: string } | null;
  expect(later?.date && later.date > (friday as string)).toBe(true);
  expect((await sweep()).sent).toBe(1);
  await waitFor(() => cards().filter((m) => card(m)?.main_title.title.startsWith('王总说')).length === 2);
  const second = cards().filter((m) => card(m)?.main_title.title.startsWith('王总说'))[1] as InboxMessage;
  await press(second, '对，记下');
  await waitFor(async () => (await bot.lead(CUSTOMER))?.lead.decisionSlips === 1);
  expect(((await bot.lead(CUSTOMER))?.lead.decisionDates as unknown[]).length).toBe(2);
  await waitFor(() => bot.sandbox.inbox(REP).some((m) => m.body.msgtype === 'text' && m.body.text.content.includes('决策时间已经推迟过 1 次')));
});

test('long customer messages are stored and answered at once, read in the worker, and leave a lead small', async () => {
  const clause = '我们领导下周五开会定，预算五十万，别家也报了价，麻烦发个方案';
  const long = (i: number) => record(`long-${i}`, `${clause}，`.repeat(Math.ceil(200_000 / clause.length)), clock.now() + i);
  const batch = Array.from({ length: 12 }, (_, i) => long(i));
  // The web process only stores: /healthz answers while the 7 MB batch is taken in, and the batch itself is quick.
  const health: number[] = [];
  let posting = true;
  const probe = (async () => {
    while (posting) {
      const t = performance.now();
      await fetch(`${bot.bot.baseUrl}/healthz`);
      health.push(performance.now() - t);
      await new Promise((r) => setTimeout(r, 5));
    }
  })();
  const t = performance.now();
  const answer = await bot.archive(batch);
  posting = false;
  await probe;
  expect(answer.body).toMatchObject({ received: 12, queued: 12 });
  expect(answer.applied).toMatchObject({ accepted: 12 });
  expect(performance.now() - t).toBeLessThan(15_000);
  expect(Math.max(...health)).toBeLessThan(1000);
  // Stored capped: the messages' notes and the signals' cues are short, the lead's whole JSON a few KB per message.
  const res = await fetch(`${bot.bot.baseUrl}/api/leads/${CUSTOMER}`, { headers: { authorization: `Bearer ${bot.config.adminToken}` } });
  const raw = await res.text();
  const doc = JSON.parse(raw) as { timeline: { id: string; kind: string; cue?: string; note?: string; sourceEntryId?: string }[] };
  const mine = doc.timeline.filter((e) => e.id.includes('long-') || e.sourceEntryId?.includes('long-'));
  expect(mine.filter((e) => e.kind === 'customer_message')).toHaveLength(12);
  for (const e of mine) {
    expect((e.note ?? '').length).toBeLessThanOrEqual(200);
    expect((e.cue ?? '').length).toBeLessThanOrEqual(60);
  }
  expect(raw.length).toBeLessThan(200_000);
});

test('a WeCom call in the archive is a call on the lead (minutes, weekly call); a mixed message is read; a recall is noted', async () => {
  const at = clock.now();
  const call = {
    msgid: 'voip-1',
    action: 'send',
    from: REP,
    tolist: [CUSTOMER],
    roomid: '',
    msgtime: at,
    msgtype: 'voiptext',
    info: { callduration: 720, invitetype: 2 },
  };
  const mixed = {
    msgid: 'mixed-1',
    action: 'send',
    from: CUSTOMER,
    tolist: [REP],
    roomid: '',
    msgtime: at + 1000,
    msgtype: 'mixed',
    mixed: { item: [{ type: 'text', content: JSON.stringify({ content: '我们还在比较几家，麻烦报个价' }) }] },
  };
  const recall = {
    msgid: 'recall-1',
    action: 'recall',
    from: CUSTOMER,
    tolist: [REP],
    roomid: '',
    msgtime: at + 2000,
    msgtype: 'revoke',
    revoke: { pre_msgid: 'mixed-1' },
  };
  expect((await bot.archive([call, mixed, recall])).applied).toMatchObject({ accepted: 3 });
  const doc = await bot.lead(CUSTOMER);
  expect(doc?.timeline.find((e) => e.id === 'archive:voip-1')).toMatchObject({ kind: 'call', minutes: 12, outcome: 'talked', source: 'archive', actor: REP });
  expect(doc?.metrics.calls7d).toBeGreaterThanOrEqual(1);
  expect(doc?.timeline.find((e) => e.id === 'archive:mixed-1')).toMatchObject({ kind: 'customer_message', note: '我们还在比较几家，麻烦报个价' });
  expect(doc?.timeline.filter((e) => e.kind === 'signal' && e.sourceEntryId === 'archive:mixed-1').map((e) => e.signal)).toEqual(
    expect.arrayContaining(['competitors', 'price']),
  );
  expect(doc?.timeline.find((e) => e.id === 'archive:recall-1')).toMatchObject({ note: '[撤回了一条消息]' });
});

test('the customer’s answer to archiving is kept on the lead; a no is told to the rep once', async () => {
  const at = clock.now();
  const agree = {
    msgid: 'agree-1',
    action: 'send',
    from: CUSTOMER,
    tolist: [REP],
    roomid: '',
    msgtime: at,
    msgtype: 'agree',
    agree: { userid: CUSTOMER, agree_time: at },
  };
  expect((await bot.archive([agree])).applied).toMatchObject({ accepted: 1 });
  expect((await bot.lead(CUSTOMER))?.lead).toMatchObject({ archiveConsent: { agreed: true } });
  const before = bot.sandbox.inbox(REP).length;
  const disagree = { ...agree, msgid: 'disagree-1', msgtime: at + 60_000, msgtype: 'disagree', disagree: { userid: CUSTOMER, disagree_time: at + 60_000 } };
  expect((await bot.archive([disagree])).applied).toMatchObject({ accepted: 1 });
  expect((await bot.lead(CUSTOMER))?.lead).toMatchObject({ archiveConsent: { agreed: false } });
  await waitFor(() => bot.sandbox.inbox(REP).length > before);
  const told = bot.sandbox
    .inbox(REP)
    .slice(before)
    .flatMap((m) => (m.body.msgtype === 'text' ? [m.body.text.content] : []));
  expect(told.filter((t) => t.includes('没有同意会话内容存档'))).toHaveLength(1);
  // The same record again tells nothing new; an older answer does not overwrite the newer one.
  await bot.archive([disagree, agree, { ...agree, msgid: 'agree-older', msgtime: at - 60_000 }]);
  expect((await bot.lead(CUSTOMER))?.lead).toMatchObject({ archiveConsent: { agreed: false } });
  expect(bot.sandbox.inbox(REP).filter((m) => m.body.msgtype === 'text' && m.body.text.content.includes('没有同意会话内容存档'))).toHaveLength(1);
  expect(bot.sandbox.calls.filter((c) => c.touser?.includes(CUSTOMER))).toHaveLength(0);
});
