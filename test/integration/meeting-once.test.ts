/**
 * A side effect outside Redis happens once per event: `会议` and the 约会议 card button book a WeCom meeting, and an
 * inbox retry of the same event (the handler ran, then died before its ledger write) reuses that meeting instead of
 * booking a second one — also when the earlier run died between WeCom's answer and our record of it.
 */
import { RepActions } from '../../src/app/rep-actions';
import { RepCommands } from '../../src/app/rep-commands';
import { createWeComApi } from '../../src/main/wecom-api';
import { RedisBookingStore } from '../../src/store/booking-store';
import { createRedis } from '../../src/store/redis';
import { WeComDirectory } from '../../src/wecom/directory';
import { captureLogger, REDIS_URL, VECTOR_A, waitFor } from '../helpers/config';
import { REP, startLedgerBot } from '../helpers/ledger-harness';

const CUSTOMER = 'woMEETING000001';
let bot: Awaited<ReturnType<typeof startLedgerBot>>;
const redis = createRedis(REDIS_URL, 'general');

beforeAll(async () => {
  bot = await startLedgerBot('meeting-once');
  bot.sandbox.addUser({ userid: REP, name: '张三' }).addContact({ external_userid: CUSTOMER, name: '王建国', type: 1 }, [{ userid: REP, remark: '王总' }]);
  await bot.send({
    kind: 'external_contact',
    corpId: VECTOR_A.corpId,
    createTime: Math.floor(Date.now() / 1000),
    changeType: 'add_external_contact',
    userId: REP,
    externalUserId: CUSTOMER,
  });
  await waitFor(async () => !!(await bot.lead(CUSTOMER)), { timeoutMs: 10_000 });
});
afterAll(async () => {
  await bot.close();
  redis.disconnect();
});

/** The worker's own parts, to run one handler twice the way an inbox retry does. */
function parts() {
  const worker = bot.bot.worker;
  if (!worker) throw new Error('no worker');
  const { log } = captureLogger('silent');
  const directory = new WeComDirectory(createWeComApi(bot.config, redis, { now: () => Date.now() }, log));
  const bookings = new RedisBookingStore(redis, bot.prefix);
  const actions = new RepActions({
    store: worker.store,
    ledger: worker.ledger,
    meetings: directory,
    bookings,
    invites: { joinCodeFor: async () => undefined },
    timeZone: 'Asia/Shanghai',
    log,
  });
  const commands = new RepCommands({ store: worker.store, ledger: worker.ledger, actions, clock: { now: () => Date.now() }, timeZone: 'Asia/Shanghai', log });
  return { worker, directory, bookings, commands };
}

test('「会议 王总 明天15:00」 handled twice for the same message: one meeting, the same link in both answers', async () => {
  const { commands } = parts();
  const before = bot.sandbox.meetings.length;
  const at = Date.now();
  const first = await commands.handle(REP, '会议 王总 明天15:00', '8200000000000000001', at);
  const again = await commands.handle(REP, '会议 王总 明天15:00', '8200000000000000001', at);
  expect(bot.sandbox.meetings.length - before).toBe(1);
  expect(first).toMatch(/已约好/);
  expect(again).toBe(first);
  // A different message is a different meeting.
  await commands.handle(REP, '会议 王总 后天15:00', '8200000000000000002', at);
  expect(bot.sandbox.meetings.length - before).toBe(2);
});

test('the earlier run booked at WeCom and died before recording it: the retry finds that meeting instead of booking another', async () => {
  const { commands, directory, bookings } = parts();
  const msgId = '8200000000000000003';
  const at = Date.now();
  // What the dead run left: its claim, and a meeting at WeCom with its title and start.
  expect((await bookings.claim(`cmd:${msgId}`)).state).toBe('new');
  const { DateTime } = await import('luxon');
  const start = DateTime.fromMillis(at, { zone: 'Asia/Shanghai' }).plus({ days: 3 }).set({ hour: 11, minute: 0, second: 0, millisecond: 0 });
  const orphan = await directory.book({ host: REP, title: '与王总沟通方案', startsAt: start.toMillis(), minutes: 60 });
  const before = bot.sandbox.meetings.length;
  const answer = await commands.handle(REP, `会议 王总 ${start.toFormat('M月d日')}11:00`, msgId, at);
  expect(bot.sandbox.meetings.length).toBe(before);
  expect(answer).toContain(orphan.link as string);
  expect(bot.sandbox.count('meeting/get_user_meetingid')).toBeGreaterThan(0);
});

test('the 约会议 button pressed once, its event handled twice: one meeting', async () => {
  const { worker } = parts();
  const before = bot.sandbox.meetings.length;
  const press = {
    kind: 'template_card_event' as const,
    corpId: VECTOR_A.corpId,
    createTime: Math.floor(Date.now() / 1000),
    fromUser: REP,
    eventKey: `meeting:${CUSTOMER}:n-1`,
    taskId: 't-1',
    cardType: 'button_interaction',
    selectedItems: [],
  };
  await worker.cards.onCardClick(press, 'evt-card-meeting-1');
  await worker.cards.onCardClick(press, 'evt-card-meeting-1');
  expect(bot.sandbox.meetings.length - before).toBe(1);
  const doc = await bot.lead(CUSTOMER);
  expect(doc?.timeline.filter((e) => e.id === 'card-meeting:evt-card-meeting-1')).toHaveLength(1);
  expect(doc?.timeline.filter((e) => e.id === 'card:evt-card-meeting-1')).toHaveLength(1);
});
