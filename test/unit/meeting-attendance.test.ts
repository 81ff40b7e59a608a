/**
 * Booked meetings count when they happen: WeCom's attendance read after the end, the rep asked where
 * WeCom shows no customer, customer-side attendees widening the decision chain. The policy as a table; the use case
 * on in-memory fakes.
 */
import { DateTime } from 'luxon';
import { CardPresses } from '../../src/app/card-presses';
import { GroupInvites } from '../../src/app/group-invites';
import { Ledger } from '../../src/app/ledger';
import { MeetingAttendance } from '../../src/app/meeting-attendance';
import { RepActions } from '../../src/app/rep-actions';
import { RepCommands } from '../../src/app/rep-commands';
import { ManualClock } from '../../src/domain/clock';
import { newLead, type Lead } from '../../src/domain/lead';
import { decisionChainSize, readAttendance, type MeetingReport } from '../../src/domain/meeting-attendance';
import { computeMetrics, DAY_MS } from '../../src/domain/metrics';
import { nextStepFor } from '../../src/domain/next-step';
import type { TimelineEntry } from '../../src/domain/timeline';
import { createLogger } from '../../src/log';
import { MemoryDirectory, MemoryLedger, MemoryMeetings, MemoryOutbox, noActivity, noCards } from '../support/fakes';

const TZ = 'Asia/Shanghai';
const wednesday = DateTime.fromISO('2026-11-25T10:00:00', { zone: TZ }).toMillis();
const HOUR = 3_600_000;
const log = createLogger('silent');

describe('readAttendance: what a booked meeting came to', () => {
  const start = wednesday + DAY_MS; // Thursday 10:00, 60 minutes
  const report = (over: Partial<MeetingReport>): MeetingReport => ({ status: 3, startsAt: start, minutes: 60, staff: [], customers: [], ...over });
  const after = start + 2 * HOUR;
  test.each<[string, MeetingReport | undefined, number, ReturnType<typeof readAttendance>['verdict'], Record<string, unknown>]>([
    [
      'ended with two customer-side people: held, the longest stay in minutes',
      report({ staff: [{ userId: 'zhangsan', seconds: 3000 }], customers: [{ seconds: 2700 }, { seconds: 1200 }] }),
      after,
      'held',
      { minutes: 45, customerAttendees: 2, staff: ['zhangsan'], at: start },
    ],
    ['ended with only our side: the rep is asked', report({ staff: [{ userId: 'zhangsan', seconds: 600 }] }), after, 'ask', { why: 'no_customer' }],
    ['expired, nobody joined: the rep is asked', report({ status: 5 }), after, 'ask', { why: 'not_started' }],
    ['a customer listed with 0 seconds does not count', report({ customers: [{ seconds: 0 }] }), after, 'ask', {}],
    ['cancelled in WeCom', report({ status: 4 }), after, 'cancelled', {}],
    ['still running: read again later', report({ status: 2 }), start + 70 * 60_000, 'wait', {}],
    ['moved to tomorrow in WeCom (not started): wait for its new end', report({ status: 1, startsAt: start + DAY_MS }), after, 'wait', {}],
    ['not started hours after its end: the rep is asked', report({ status: 1 }), start + 4 * HOUR, 'ask', { why: 'not_started' }],
    ['WeCom would not say: the rep is asked', undefined, after, 'ask', { why: 'unreadable' }],
  ])('%s', (_label, r, now, verdict, extra) => {
    const v = readAttendance(r, now);
    expect(v.verdict).toBe(verdict);
    expect(v).toMatchObject(extra);
    if (v.verdict === 'wait') expect(v.recheckAt).toBeGreaterThan(now);
  });

  test('a meeting moved a day later is read after its new end, not before', () => {
    const v = readAttendance(report({ status: 1, startsAt: start + DAY_MS }), after);
    expect(v.verdict === 'wait' && v.recheckAt).toBeLessThanOrEqual(start + DAY_MS + 60 * 60_000 + 10 * 60_000 + 1);
  });
});

describe('the decision chain counts customer-side people in held meetings', () => {
  const lead = newLead({ id: 'woC', externalUserId: 'woC', name: '王', owner: 'zhangsan', source: 'inquiry', createdAt: wednesday - 10 * DAY_MS });
  const held = (n: number, id: string): TimelineEntry => ({
    id,
    at: wednesday - DAY_MS,
    kind: 'meeting_held',
    source: 'reconcile',
    minutes: 40,
    customerAttendees: n,
  });
  test('the most in one meeting, not meetings added together (WeCom ids are per meeting)', () => {
    expect(decisionChainSize(lead, [])).toBe(1);
    expect(decisionChainSize(lead, [held(3, 'a'), held(2, 'b')])).toBe(3);
    expect(decisionChainSize({ stakeholders: ['a', 'b', 'c', 'd'] }, [held(3, 'a')])).toBe(4);
  });
  test('a meeting with three of theirs: no widen-the-chain step, and metrics say 3', () => {
    const positioned = { ...lead, state: 'benchmarking' as const, decisionDate: '2026-12-20' };
    expect(nextStepFor(positioned, [held(1, 'a')]).step).toBe('widen_chain');
    expect(nextStepFor(positioned, [held(3, 'a')]).step).toBe('weekly_call');
    expect(computeMetrics(positioned, [held(3, 'a')], wednesday).stakeholders).toBe(3);
  });
  test('a booked meeting is not a meeting held until it happens', () => {
    const booked: TimelineEntry = {
      id: 'b',
      at: wednesday - 2 * DAY_MS,
      kind: 'meeting_scheduled',
      source: 'command',
      startsAt: wednesday - DAY_MS,
      minutes: 60,
    };
    const m = computeMetrics(lead, [booked], wednesday);
    expect(m.meetings7d).toBe(0);
    expect(m.mindshareMinutes30d).toBe(0);
  });
});

function world() {
  const clock = new ManualClock(wednesday);
  const store = new MemoryLedger(() => clock.now());
  const outbox = new MemoryOutbox();
  const meetings = new MemoryMeetings();
  const invites = new GroupInvites({ store, maker: { createJoinCode: async (c) => ({ configId: `c-${c}`, qrCode: `https://qr.test/${c}` }) }, log });
  const ledger = new Ledger({ store, directory: new MemoryDirectory(), outbox, invites, activity: noActivity, clock, sourceRules: [], log });
  const actions = new RepActions({ store, ledger, meetings, bookings: meetings, invites, timeZone: TZ, log });
  const commands = new RepCommands({ store, ledger, actions, clock, timeZone: TZ, log });
  const cards = new CardPresses({ store, actions, outbox, cards: noCards, activity: noActivity, clock, timeZone: TZ, businessDays: [1, 2, 3, 4, 5], log });
  const attendance = new MeetingAttendance({ store, bookings: meetings, meetings, actions, outbox, activity: noActivity, clock, timeZone: TZ, log });
  return { clock, store, outbox, meetings, commands, cards, attendance };
}

const lead = (id: string, remark: string): Lead => ({
  ...newLead({ id, externalUserId: id, name: `${remark}本名`, remark, owner: 'zhangsan', source: 'inquiry', createdAt: wednesday - 10 * DAY_MS }),
  state: 'benchmarking',
  decisionDate: '2026-12-20',
});

async function bookTomorrow(w: ReturnType<typeof world>, id: string, name: string, msgId: string) {
  await w.commands.handle('zhangsan', `会议 ${name} 明天10:00`, msgId, w.clock.now());
  const booked = (await w.store.getTimeline(id)).find((e) => e.kind === 'meeting_scheduled') as TimelineEntry;
  expect(booked).toMatchObject({ meetingId: expect.any(String), minutes: 60, startsAt: wednesday + DAY_MS });
  return booked;
}

const press = (w: ReturnType<typeof world>, key: string, id: string) =>
  w.cards.onCardClick(
    {
      kind: 'template_card_event',
      corpId: 'c',
      createTime: w.clock.now() / 1000,
      fromUser: 'zhangsan',
      eventKey: key,
      taskId: 't',
      cardType: 'button_interaction',
      selectedItems: [],
    },
    id,
  );

describe('reading attendance after a booked meeting (on fakes)', () => {
  test('not read before its end; after it, held with the customer side counted, the rep told once', async () => {
    const w = world();
    await w.store.bulkLoad([{ lead: lead('woA', '王总'), entries: [] }]);
    const booked = await bookTomorrow(w, 'woA', '王总', 'm1');
    w.meetings.reports.set(booked.meetingId as string, {
      status: 3,
      startsAt: wednesday + DAY_MS,
      minutes: 60,
      staff: [{ userId: 'zhangsan', seconds: 3300 }],
      customers: [{ seconds: 3000 }, { seconds: 2400 }, { seconds: 900 }],
    });
    w.clock.set(wednesday + DAY_MS + 30 * 60_000); // during the meeting: not due
    expect(await w.attendance.checkDue(100)).toMatchObject({ checked: 0 });
    w.clock.set(wednesday + DAY_MS + 75 * 60_000);
    expect(await w.attendance.checkDue(100)).toMatchObject({ checked: 1, held: 1 });
    const held = (await w.store.getTimeline('woA')).filter((e) => e.kind === 'meeting_held');
    expect(held).toEqual([expect.objectContaining({ at: wednesday + DAY_MS, minutes: 50, customerAttendees: 3, scheduledId: booked.id, source: 'reconcile' })]);
    const m = computeMetrics((await w.store.getLead('woA')) as Lead, await w.store.getTimeline('woA'), w.clock.now());
    expect(m).toMatchObject({ meetings7d: 1, mindshareMinutes30d: 50, stakeholders: 3 });
    expect(w.outbox.texts('zhangsan').filter((t) => t.startsWith('已记录：和王总的会——王总那边 3 人参会，50 分钟'))).toHaveLength(1);
    // Nothing left to read; reading again changes nothing.
    w.clock.advance(HOUR);
    expect(await w.attendance.checkDue(100)).toMatchObject({ checked: 0 });
  });

  test('no customer in it: a 开了/没开/改期 card; 没开 records it and the proposal path opens again', async () => {
    const w = world();
    await w.store.bulkLoad([{ lead: lead('woB', '陈经理'), entries: [] }]);
    const booked = await bookTomorrow(w, 'woB', '陈经理', 'm2');
    w.meetings.reports.set(booked.meetingId as string, { status: 5, startsAt: wednesday + DAY_MS, minutes: 60, staff: [], customers: [] });
    w.clock.set(wednesday + DAY_MS + 2 * HOUR);
    expect(await w.attendance.checkDue(100)).toMatchObject({ asked: 1 });
    const card = [...w.outbox.messages.values()].find((m) => m.key === `meeting-check:${booked.id}`);
    expect(card?.duplicateCheck).toBe(true);
    const buttons = card?.body.msgtype === 'template_card' ? card.body.template_card.button_list : [];
    expect(buttons.map((b) => b.text)).toEqual(['开了', '没开', '改期']);
    expect(card?.body.msgtype === 'template_card' && card.body.template_card.main_title.title).toBe('和陈经理的会开了吗？');
    await press(w, buttons[1]?.key as string, 'evt-missed');
    const tl = await w.store.getTimeline('woB');
    expect(tl.filter((e) => e.kind === 'meeting_missed')).toEqual([expect.objectContaining({ note: 'not_held', scheduledId: booked.id })]);
    expect(tl.some((e) => e.kind === 'meeting_held')).toBe(false);
    expect(w.outbox.texts('zhangsan').some((t) => t.startsWith('已记录：和陈经理的会没开成。'))).toBe(true);
    // A second press (开了) on the same card is answered, not recorded.
    await press(w, buttons[0]?.key as string, 'evt-held-late');
    expect((await w.store.getTimeline('woB')).some((e) => e.kind === 'meeting_held')).toBe(false);
    expect(w.outbox.texts('zhangsan').some((t) => t.startsWith('这场会已经记过了（没开）'))).toBe(true);
  });

  test('开了 on the card counts the booked length; 改期 books the next business morning', async () => {
    const w = world();
    await w.store.bulkLoad([
      { lead: lead('woC', '李总'), entries: [] },
      { lead: lead('woD', '赵总'), entries: [] },
    ]);
    const c = await bookTomorrow(w, 'woC', '李总', 'm3');
    const d = await bookTomorrow(w, 'woD', '赵总', 'm4');
    w.clock.set(wednesday + DAY_MS + 2 * HOUR); // Thursday 12:00; WeCom knows neither (unreadable)
    expect(await w.attendance.checkDue(100)).toMatchObject({ asked: 2 });
    await press(w, `mheld:woC:${c.meetingId}`, 'evt-c');
    expect((await w.store.getTimeline('woC')).filter((e) => e.kind === 'meeting_held')).toEqual([
      expect.objectContaining({ minutes: 60, at: wednesday + DAY_MS }),
    ]);
    await press(w, `mmoved:woD:${d.meetingId}`, 'evt-d');
    const tl = await w.store.getTimeline('woD');
    expect(tl.find((e) => e.kind === 'meeting_missed')?.note).toBe('moved');
    const again = tl.filter((e) => e.kind === 'meeting_scheduled').at(-1);
    expect(again?.startsAt).toBe(wednesday + 2 * DAY_MS); // Friday 10:00
    expect(w.meetings.watches.size).toBe(1); // the new booking is watched
    expect(w.outbox.texts('zhangsan').some((t) => t.startsWith('已改约：11月27日（周五）10:00 与赵总的会议。'))).toBe(true);
  });

  test('cancelled in WeCom: recorded, the rep told to call and rebook; WeCom busy: read again later', async () => {
    const w = world();
    await w.store.bulkLoad([
      { lead: lead('woE', '周总'), entries: [] },
      { lead: lead('woF', '吴总'), entries: [] },
    ]);
    const e = await bookTomorrow(w, 'woE', '周总', 'm5');
    const f = await bookTomorrow(w, 'woF', '吴总', 'm6');
    w.meetings.reports.set(e.meetingId as string, { status: 4, startsAt: wednesday + DAY_MS, minutes: 60, staff: [], customers: [] });
    const real = w.meetings.report.bind(w.meetings);
    w.meetings.report = async (id) => {
      if (id === f.meetingId) throw new Error('WeCom -1 busy');
      return real(id);
    };
    w.clock.set(wednesday + DAY_MS + 2 * HOUR);
    expect(await w.attendance.checkDue(100)).toMatchObject({ checked: 2, waiting: 1 });
    expect((await w.store.getTimeline('woE')).find((x) => x.kind === 'meeting_missed')?.note).toBe('cancelled');
    expect(w.outbox.texts('zhangsan').some((t) => t.startsWith('和周总的会在企业微信里取消了。'))).toBe(true);
    expect([...w.meetings.watches.values()].map((x) => x.w.meetingId)).toEqual([f.meetingId]);
  });
});
