/**
 * One lead through a week, end to end on a real Redis, real BullMQ and the WeCom sandbox: a quiet card → the rep
 * calls and says so in their own words → the card shows it was handled; a meeting booked for tomorrow → attendance
 * read after it → the meeting counted with its customer-side attendees → mindshare up; a meeting nobody joined → the
 * rep asked 开了/没开/改期 → the answer recorded and the card updated.
 */
import { DateTime } from 'luxon';
import { ManualClock } from '../../src/domain/clock';
import type { InboxMessage } from '../../tools/sandbox/wecom-sandbox';
import { VECTOR_A, waitFor } from '../helpers/config';
import { REP, startLedgerBot } from '../helpers/ledger-harness';
import { startSandbox } from '../helpers/sandbox';

const TZ = 'Asia/Shanghai';
// Monday 09:00 of a week in the future (the sandbox refuses meetings in the past).
const monday = DateTime.now().setZone(TZ).plus({ weeks: 2 }).set({ weekday: 1, hour: 9, minute: 0, second: 0, millisecond: 0 });
const at = (days: number, hour: number, minute = 0) => monday.plus({ days }).set({ hour, minute }).toMillis();
const clock = new ManualClock(at(-4, 9)); // the Thursday before
const CUSTOMER = 'woWEEK00000001';

type Bot = Awaited<ReturnType<typeof startLedgerBot>>;
let bot: Bot;
let seq = 9_100_000_000_000_000_000n;

beforeAll(async () => {
  const sb = await startSandbox({ corpId: VECTOR_A.corpId, secret: 'test-secret', agentId: 218, clock: () => clock.now() });
  sb.sandbox.addUser({ userid: REP, name: '张三' });
  sb.sandbox.addContact({ external_userid: CUSTOMER, name: '王建国', type: 1, corp_name: '某某制造' }, [{ userid: REP, remark: '王总', state: '询价单' }]);
  bot = await startLedgerBot('week', { ...sb, clock });
});
afterAll(async () => bot.close());

const inbox = () => bot.sandbox.inbox(REP);
const cards = () => inbox().filter((m) => m.msgtype === 'template_card');
const texts = () => inbox().flatMap((m) => (m.body.msgtype === 'text' ? [m.body.text.content] : []));
const card = (m: InboxMessage | undefined) => (m?.body.msgtype === 'template_card' ? m.body.template_card : undefined);
const now = () => Math.floor(clock.now() / 1000);

async function say(content: string) {
  seq += 1n;
  await bot.send({ kind: 'app_text', corpId: VECTOR_A.corpId, createTime: now(), msgId: String(seq), fromUser: REP, content, agentId: '218' });
}

async function press(m: InboxMessage, buttonText: string) {
  const c = card(m);
  const key = c?.button_list.find((b) => b.text === buttonText)?.key as string;
  await bot.send({
    kind: 'template_card_event',
    corpId: VECTOR_A.corpId,
    createTime: now(),
    fromUser: REP,
    eventKey: key,
    taskId: c?.task_id as string,
    cardType: 'button_interaction',
    responseCode: m.response_code,
    agentId: '218',
    selectedItems: [],
  });
}

test('a week with one lead: quiet card, a call in free words, a meeting read from WeCom attendance, one nobody joined', async () => {
  // Thursday: the customer adds the rep; the rep positions them at once.
  await bot.send({
    kind: 'external_contact',
    corpId: VECTOR_A.corpId,
    createTime: now(),
    changeType: 'add_external_contact',
    userId: REP,
    externalUserId: CUSTOMER,
    state: '询价单',
  });
  await waitFor(async () => !!(await bot.lead(CUSTOMER)));
  await say('定位 王总 陪跑');
  await waitFor(async () => (await bot.lead(CUSTOMER))?.lead.state === 'benchmarking');

  // Monday 10:00: four quiet days → one quiet card.
  clock.set(at(0, 10));
  expect((await bot.bot.worker!.nudger.sweep(500)).sent).toBe(1);
  await waitFor(() => cards().length === 1);
  const quiet = cards()[0] as InboxMessage;
  expect(card(quiet)?.main_title.title).toBe('王总已经 4 天没动静');

  // The rep calls and says so as reps write.
  clock.set(at(0, 11));
  await say('打了电话给王总，聊了二十分钟');
  await waitFor(() => texts().some((t) => t.startsWith('已记录：与王总通话 20 分钟。')));
  // The next sweep updates the card: handled by the call, its buttons gone.
  clock.set(at(0, 11, 10));
  await bot.bot.worker!.nudger.sweep(500);
  await waitFor(() => quiet.updates.length === 1);
  expect(quiet.updates[0]?.button?.replace_name).toBe('已打电话');
  const before = await bot.lead(CUSTOMER);
  expect(before?.metrics).toMatchObject({ mindshareMinutes30d: 20, meetings7d: 0 });

  // A meeting for tomorrow afternoon, booked in WeCom; not counted before it happens.
  await say('会议 王总 明天下午3点');
  // The reply comes after the booking is written and watched (not just after WeCom has the meeting).
  await waitFor(() => texts().filter((t) => t.startsWith('已约好：')).length === 1);
  expect(bot.sandbox.meetings).toHaveLength(1);
  const meeting = bot.sandbox.meetings[0]!;
  expect(meeting.meeting_start * 1000).toBe(at(1, 15));
  bot.sandbox.attend(meeting.meetingid, { members: [{ userid: REP, minutes: 60 }], externals: [58, 45, 30] });
  clock.set(at(1, 15, 30)); // during it
  expect(await bot.bot.worker!.attendance.checkDue(100)).toMatchObject({ checked: 0 });
  expect((await bot.lead(CUSTOMER))?.metrics.meetings7d).toBe(0);

  // Tuesday 16:20: over; WeCom's attendance says three people from their side came.
  clock.set(at(1, 16, 20));
  expect(await bot.bot.worker!.attendance.checkDue(100)).toMatchObject({ checked: 1, held: 1 });
  const after = await bot.lead(CUSTOMER);
  const held = after?.timeline.filter((e) => e.kind === 'meeting_held');
  expect(held).toEqual([expect.objectContaining({ minutes: 58, customerAttendees: 3, meetingId: meeting.meetingid })]);
  expect(after?.metrics).toMatchObject({ meetings7d: 1, stakeholders: 3, mindshareMinutes30d: 78 });
  expect(after!.metrics.mindshareMinutes30d).toBeGreaterThan(before!.metrics.mindshareMinutes30d);
  await waitFor(() => texts().some((t) => t.startsWith('已记录：和王总的会——王总那边 3 人参会，58 分钟')));
  // Read again: nothing new.
  clock.set(at(1, 17));
  expect(await bot.bot.worker!.attendance.checkDue(100)).toMatchObject({ checked: 0 });

  // Wednesday: another meeting, for Thursday 10:00, that nobody joins.
  clock.set(at(2, 9));
  await say('会议 王总 明天上午10点');
  await waitFor(() => texts().filter((t) => t.startsWith('已约好：')).length === 2);
  expect(bot.sandbox.meetings).toHaveLength(2);
  clock.set(at(3, 12));
  expect(await bot.bot.worker!.attendance.checkDue(100)).toMatchObject({ asked: 1 });
  await waitFor(() => cards().some((m) => card(m)?.main_title.title === '和王总的会开了吗？'));
  const check = cards().find((m) => card(m)?.main_title.title === '和王总的会开了吗？') as InboxMessage;
  expect(card(check)?.button_list.map((b) => b.text)).toEqual(['开了', '没开', '改期']);
  await press(check, '没开');
  await waitFor(() => check.updates.length === 1);
  expect(check.updates[0]?.button?.replace_name).toBe('已记录：没开');
  await waitFor(() => texts().some((t) => t.startsWith('已记录：和王总的会没开成。')));
  const end = await bot.lead(CUSTOMER);
  expect(end?.timeline.filter((e) => e.kind === 'meeting_missed')).toHaveLength(1);
  expect(end?.metrics.meetings7d).toBe(1);

  // Friday 10:00: three people from their side were in a meeting — no "only one person on their side" nudge.
  clock.set(at(4, 10));
  await bot.bot.worker!.nudger.sweep(500);
  await new Promise((r) => setTimeout(r, 500));
  expect(cards().map((m) => card(m)?.main_title.title)).not.toContain('王总那边只有一个人');
  // Nothing was ever addressed to the customer.
  expect(bot.sandbox.calls.filter((c) => c.touser?.includes(CUSTOMER))).toHaveLength(0);
});
