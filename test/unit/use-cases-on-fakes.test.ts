/**
 * The use cases on in-memory fakes of their ports (no Redis, no BullMQ, no WeCom): the rep-action core from both
 * entry points, the ledger's handlers, the sweep and the policy's bookkeeping. Fast; the Redis-backed integration
 * tests cover the adapters.
 */
import { DateTime } from 'luxon';
import { CardPresses } from '../../src/app/card-presses';
import { GroupInvites } from '../../src/app/group-invites';
import { Ledger } from '../../src/app/ledger';
import { Nudger } from '../../src/app/nudger';
import { RepActions } from '../../src/app/rep-actions';
import { RepCommands } from '../../src/app/rep-commands';
import { CustomerSignals } from '../../src/app/customer-signals';
import { LexiconReader } from '../../src/domain/signals/reader';
import { stateSuggestionOf } from '../../src/domain/signals/suggestion';
import { jiebaSegmenter } from '../../src/text/segmenter';
import { ManualClock } from '../../src/domain/clock';
import { newLead, type Lead } from '../../src/domain/lead';
import { DAY_MS } from '../../src/domain/metrics';
import { digestRisk, ignoredInARow, nudgeIdFor, shouldEscalate } from '../../src/domain/nudge-bookkeeping';
import type { TimelineEntry } from '../../src/domain/timeline';
import { createLogger } from '../../src/log';
import { TEST_NUDGE_SETTINGS } from '../helpers/nudge-settings';
import { MemoryDirectory, MemoryLedger, MemoryMeetings, MemoryNudges, MemoryOutbox, noActivity, noCards } from '../support/fakes';

const TZ = 'Asia/Shanghai';
const wednesday = DateTime.fromISO('2026-11-25T10:00:00', { zone: TZ }).toMillis();
const log = createLogger('silent');

function world() {
  const clock = new ManualClock(wednesday);
  const store = new MemoryLedger(() => clock.now());
  const outbox = new MemoryOutbox();
  const meetings = new MemoryMeetings();
  const directory = new MemoryDirectory();
  const invites = new GroupInvites({
    store,
    maker: { createJoinCode: async (chatId) => ({ configId: `c-${chatId}`, qrCode: `https://qr.test/${chatId}` }) },
    log,
  });
  const ledger = new Ledger({ store, directory, outbox, invites, activity: noActivity, clock, sourceRules: [{ pattern: '询价', source: 'inquiry' }], log });
  const signals = new CustomerSignals({ store, reader: new LexiconReader(jiebaSegmenter), timeZone: TZ });
  const actions = new RepActions({ store, ledger, meetings, bookings: meetings, invites, timeZone: TZ, log, signals });
  const commands = new RepCommands({ store, ledger, actions, clock, timeZone: TZ, log });
  const cards = new CardPresses({ store, actions, outbox, cards: noCards, activity: noActivity, clock, timeZone: TZ, businessDays: [1, 2, 3, 4, 5], log });
  const nudges = new MemoryNudges();
  const nudger = new Nudger({
    store,
    nudges,
    outbox,
    managers: { managerOf: async () => 'lisi', nameOf: async (u) => (u === 'zhangsan' ? '张三' : u) },
    activity: noActivity,
    clock,
    settings: TEST_NUDGE_SETTINGS,
    dailyCapPerRep: 3,
    escalateAfterIgnored: 2,
    log,
  });
  return { clock, store, outbox, meetings, directory, ledger, actions, commands, cards, nudges, nudger };
}

const customer = (id: string, remark: string, createdAt = wednesday - 10 * DAY_MS): Lead =>
  newLead({ id, externalUserId: id, name: `${remark}本名`, remark, owner: 'zhangsan', source: 'inquiry', createdAt });

/** A lead's ledger result with the ids and sources that differ between entry points taken out. */
async function outcomeOf(w: ReturnType<typeof world>, id: string) {
  const lead = (await w.store.getLead(id)) as Lead;
  const timeline = (await w.store.getTimeline(id)).filter((e) => e.kind !== 'nudge_acted');
  return {
    lead: { state: lead.state, outcome: lead.outcome, outcomeReason: lead.outcomeReason, snoozedUntil: lead.snoozedUntil, decisionDate: lead.decisionDate },
    timeline: timeline.map(({ id: _id, source: _s, ...rest }) => rest),
  };
}

describe('the rep-action core: a card press and a command give the same ledger result', () => {
  const cases: { button: string; command: (name: string) => string }[] = [
    { button: 'called', command: (n) => `电话 ${n}` },
    { button: 'meeting', command: (n) => `会议 ${n} ${DateTime.fromMillis(wednesday, { zone: TZ }).plus({ days: 1 }).toFormat('M月d日')}10:00` },
    { button: 'group', command: (n) => `建群 ${n}` },
    { button: 'snooze', command: (n) => `暂停 ${n} 3天` },
    { button: 'lost', command: (n) => `输单 ${n} 卡片标记输单` },
  ];
  test.each(cases)('$button', async ({ button, command }) => {
    const w = world();
    await w.store.bulkLoad([
      { lead: customer('woCARD', '王总'), entries: [] },
      { lead: customer('woTYPED', '李总'), entries: [] },
    ]);
    const event = {
      kind: 'template_card_event' as const,
      corpId: 'c',
      createTime: wednesday / 1000,
      fromUser: 'zhangsan',
      eventKey: `${button}:woCARD:n1`,
      taskId: 't',
      cardType: 'button_interaction',
      selectedItems: [],
    };
    const press = () => w.cards.onCardClick(event, 'evt-1');
    const pressed = await press();
    expect(pressed).toBe(true);
    const answer = await w.commands.handle('zhangsan', command('李总'), '9000000001', wednesday);
    expect(answer).not.toMatch(/没太看懂|没有找到|出错/);
    const card = await outcomeOf(w, 'woCARD');
    const typed = await outcomeOf(w, 'woTYPED');
    // The call from the card has no minutes or note; the typed one says "talked": the same call, otherwise.
    const strip = (o: typeof card) => ({ ...o, timeline: o.timeline.map(({ note: _n, outcome: _o, link: _l, meetingId: _m, ...e }) => e) });
    expect(strip(card)).toEqual(strip(typed));
    if (button === 'meeting') expect(w.meetings.booked.map((m) => m.startsAt)).toEqual([w.meetings.booked[0]?.startsAt, w.meetings.booked[0]?.startsAt]);
    // The press itself is logged once, whatever the retries.
    await press();
    expect((await w.store.getTimeline('woCARD')).filter((e) => e.kind === 'nudge_acted')).toHaveLength(1);
    expect(w.meetings.booked.length).toBe(button === 'meeting' ? 2 : 0);
  });

  test('every action is idempotent by its entry id', async () => {
    const w = world();
    await w.store.bulkLoad([{ lead: customer('woIDEM', '赵总'), entries: [] }]);
    const lead = (await w.store.getLead('woIDEM')) as Lead;
    const input = { lead, actor: 'zhangsan', at: wednesday, entryId: 'cmd:1', source: 'command' as const };
    for (let i = 0; i < 2; i++) {
      await w.actions.setState({ ...input, entryId: 'cmd:s' }, 'price_check');
      await w.actions.logCall({ ...input, entryId: 'cmd:c' }, { minutes: 20, decisionDate: '2026-12-01' });
      await w.actions.logProposalRequest({ ...input, entryId: 'cmd:p' });
      await w.actions.bookMeeting({ ...input, entryId: 'cmd:m' }, wednesday + DAY_MS);
      await w.actions.snooze({ ...input, entryId: 'cmd:z' }, 2);
    }
    expect((await w.store.getTimeline('woIDEM')).map((e) => e.kind).sort()).toEqual([
      'call',
      'decision_date_set',
      'meeting_scheduled',
      'proposal_requested',
      'snoozed',
      'state_changed',
    ]);
    expect(w.meetings.booked).toHaveLength(1);
    expect((await w.store.getLead('woIDEM'))?.state).toBe('price_check');
  });
});

describe('the ledger on fakes', () => {
  test('a customer added twice, out of order with a profile edit: one lead, the newer facts win', async () => {
    const w = world();
    w.directory.customers.set('woNEW', {
      externalUserId: 'woNEW',
      name: '王建国',
      company: '某学校',
      followers: [{ userId: 'zhangsan', remark: '王总', state: '询价单', addedAt: wednesday }],
    });
    const add = {
      kind: 'external_contact' as const,
      corpId: 'c',
      createTime: wednesday / 1000,
      changeType: 'add_external_contact' as const,
      userId: 'zhangsan',
      externalUserId: 'woNEW',
      state: '询价单',
    };
    await w.ledger.contactEvent(add, 'e1');
    await w.ledger.contactEvent(add, 'e1');
    const lead = await w.store.getLead('woNEW');
    expect(lead).toMatchObject({ name: '王建国', remark: '王总', company: '某学校', owner: 'zhangsan', source: 'inquiry', state: 'unknown' });
    expect((await w.store.getTimeline('woNEW')).map((e) => e.kind)).toEqual(['added']);
  });

  test('a group with the customer and a colleague of theirs: bound, two stakeholders, the rep gets the join code once', async () => {
    const w = world();
    await w.store.bulkLoad([{ lead: customer('woG', '钱总'), entries: [] }]);
    w.directory.groups.set('wrG', {
      chatId: 'wrG',
      name: '钱总项目群',
      owner: 'zhangsan',
      createdAt: wednesday,
      customers: ['woG', 'wmCOLLEAGUE1'],
      staff: ['zhangsan'],
    });
    const create = { kind: 'external_chat' as const, corpId: 'c', createTime: wednesday / 1000, chatId: 'wrG', changeType: 'create' as const };
    await w.ledger.groupEvent(create, 'g1');
    await w.ledger.groupEvent(create, 'g1');
    expect(await w.store.getLead('woG')).toMatchObject({ groups: ['wrG'], stakeholders: ['wmCOLLEAGUE1', 'woG'] });
    expect(w.outbox.texts('zhangsan').filter((t) => t.includes('https://qr.test/wrG'))).toHaveLength(1);
  });
});

describe('the sweep on fakes', () => {
  test('quiet, uncalled leads get one card each; a second sweep sends nothing new; the daily cap holds the rest', async () => {
    const w = world();
    await w.store.bulkLoad(Array.from({ length: 5 }, (_, i) => ({ lead: { ...customer(`woS${i}`, `客户${i}`), state: 'price_check' as const }, entries: [] })));
    for (let i = 0; i < 5; i++) await w.store.setDue(`woS${i}`, wednesday - 1);
    const first = await w.nudger.sweep(100);
    expect(first).toMatchObject({ checked: 5, sent: 3, capped: 2 });
    const cards = [...w.outbox.messages.values()].filter((m) => m.body.msgtype === 'template_card');
    expect(cards).toHaveLength(3);
    expect(new Set(cards.map((c) => c.touser))).toEqual(new Set(['zhangsan']));
    const again = await w.nudger.checkMany(['woS0', 'woS1', 'woS2', 'woS3', 'woS4'], wednesday);
    expect(again.sent).toBe(0);
    expect([...w.outbox.messages.values()].filter((m) => m.body.msgtype === 'template_card')).toHaveLength(3);
  });

  test('the same nudge ignored twice goes to the manager', async () => {
    const w = world();
    await w.store.bulkLoad([{ lead: { ...customer('woIGN', '孙总'), state: 'price_check' as const }, entries: [] }]);
    for (let day = 0; day < 21; day++) {
      w.clock.set(wednesday + day * DAY_MS);
      await w.nudger.checkMany(['woIGN'], w.clock.now());
    }
    expect(w.outbox.texts('lisi').some((t) => t.startsWith('【跟进提醒升级】张三的客户「孙总」：「') && t.includes('建议今天和张三一起过一下这个客户'))).toBe(
      true,
    );
  });
});

describe('the policy’s bookkeeping', () => {
  const sent = (id: string, at: number, kind = 'quiet' as const): TimelineEntry => ({
    id,
    at,
    kind: 'nudge_sent',
    source: 'api',
    nudgeKind: kind,
    nudgeId: id,
  });
  test('a nudge id follows the last nudge of its kind: the same for racing sweeps, new for the next cycle', () => {
    const a = nudgeIdFor('woX', 'quiet', []);
    expect(nudgeIdFor('woX', 'quiet', [])).toBe(a);
    expect(nudgeIdFor('woX', 'weekly_call', [])).not.toBe(a);
    expect(nudgeIdFor('woX', 'quiet', [sent('nudge:1', 5)])).not.toBe(a);
    expect(nudgeIdFor('woX', 'quiet', [sent('nudge:1', 5), sent('nudge:2', 9)])).toBe(nudgeIdFor('woX', 'quiet', [sent('nudge:2', 9), sent('nudge:1', 5)]));
  });
  test('ignored in a row counts the nudges of a kind since the last press', () => {
    const tl = [
      sent('a', 1),
      sent('b', 2),
      { id: 'p', at: 3, kind: 'nudge_acted' as const, source: 'card' as const },
      sent('c', 4),
      sent('d', 5),
      sent('w', 6, 'weekly_call' as never),
    ];
    expect(ignoredInARow(tl, 'quiet')).toBe(2);
    expect(shouldEscalate(2, 2)).toBe(true);
    expect(shouldEscalate(1, 2)).toBe(false);
  });
  test('digest risk: silence counts double for price comparers, an uncalled week and a decision due add', () => {
    const m = { quietDays: 4, calls7d: 0 } as never;
    const base = customer('woR', '周总');
    expect(digestRisk(base, m, wednesday, TZ)).toBe(4 + 5);
    expect(digestRisk({ ...base, state: 'price_check' }, m, wednesday, TZ)).toBe(8 + 5);
    expect(digestRisk({ ...base, decisionDate: '2026-11-30' }, m, wednesday, TZ)).toBe(4 + 5 + 10);
    expect(digestRisk({ ...base, decisionDate: '2026-12-30' }, m, wednesday, TZ)).toBe(4 + 5);
  });
});

describe('sending: WeCom’s duplicate check only where a duplicate is worse than a retry', () => {
  async function attempt(m: Partial<import('../../src/app/ports').OutboundMessage>, earlierUnknown = false) {
    const { MessageSender } = await import('../../src/app/send-message');
    const requests: Record<string, unknown>[] = [];
    const ends: string[] = [];
    const sender = new MessageSender({
      channel: {
        agentId: 218,
        sendMessage: async (req) => (requests.push(req as never), { errcode: 0, errmsg: 'ok', msgid: 'm1' }),
        replyInRobotChat: async () => undefined,
      },
      marks: { get: async () => undefined, mark: async () => undefined, beginAttempt: async () => earlierUnknown, endAttempt: async (k) => void ends.push(k) },
      limiter: { reserve: async () => 0, confirm: async () => undefined },
      clock: { now: () => wednesday },
      timeZone: TZ,
      log,
      duplicateCheckSeconds: 300,
    });
    const outcome = await sender.attempt({ key: 'k', touser: 'zhangsan', body: { msgtype: 'text', text: { content: '好' } }, ...m }, 'job-1');
    return { outcome, request: requests[0] as Record<string, unknown>, ends };
  }
  test('a reply goes without it; a nudge with it; a re-send after an attempt of unknown outcome with it', async () => {
    const reply = await attempt({});
    expect(reply.outcome.kind).toBe('sent');
    expect(reply.request.enable_duplicate_check).toBeUndefined();
    expect(reply.ends).toEqual(['k']);
    expect((await attempt({ duplicateCheck: true })).request).toMatchObject({ enable_duplicate_check: 1, duplicate_check_interval: 300 });
    expect((await attempt({}, true)).request).toMatchObject({ enable_duplicate_check: 1, duplicate_check_interval: 300 });
  });
});

describe('a closed lead', () => {
  test('a call or a meeting on a lost lead says so, logs nothing, and offers 重开; after 重开 the call is logged', async () => {
    const w = world();
    await w.store.bulkLoad([{ lead: customer('woCLOSED', '吴总'), entries: [] }]);
    expect(await w.commands.handle('zhangsan', '输单 吴总 预算不够', '9100000000000000001', wednesday)).toMatch(/已记为输单：吴总（预算不够）/);
    const call = await w.commands.handle('zhangsan', '电话 吴总 20分钟', '9100000000000000002', wednesday + 1000);
    expect(call).toBe('吴总已经记为输单（预算不够），这次电话没有记上。\n客户又有需要了？回复「重开 吴总」重新跟进，再记一次。');
    const meeting = await w.commands.handle('zhangsan', '会议 吴总 明天15:00', '9100000000000000003', wednesday + 2000);
    expect(meeting).toMatch(/这次会议没有记上/);
    expect(w.meetings.booked).toHaveLength(0);
    expect((await w.store.getTimeline('woCLOSED')).map((e) => e.kind)).toEqual(['outcome_changed']);
    expect(await w.commands.handle('zhangsan', '重开 吴总', '9100000000000000004', wednesday + 3000)).toMatch(/^好，吴总重新打开了，接着跟进。/);
    expect((await w.store.getLead('woCLOSED'))?.outcome).toBe('open');
    expect(await w.commands.handle('zhangsan', '电话 吴总 20分钟', '9100000000000000005', wednesday + 4000)).toMatch(/^已记录：与吴总通话 20 分钟/);
  });
});

describe('the one next step after a call', () => {
  const cases: [string, Partial<Lead>, TimelineEntry[], RegExp][] = [
    ['unpositioned → position first', { state: 'unknown' }, [], /下一步：先定位——下次通话直接问「您是出来比价的/],
    [
      'asked for a proposal → meet or group, not a document',
      { state: 'price_check' },
      [{ id: 'p', at: wednesday - 1000, kind: 'proposal_requested', source: 'command' }],
      /下一步：赵总要的方案别一个人写/,
    ],
    ['no decision date → the direct question', { state: 'exploring' }, [], /下一步：问清什么时候定：「现在方案差不多定了吧？如果没定，啥时候定？」/],
    [
      'a group with only the contact → widen the chain',
      { state: 'benchmarking', decisionDate: '2026-12-20', groups: ['wrX'], stakeholders: ['woNEXT'] },
      [],
      /下一步：赵总那边只有他一个人在/,
    ],
    ['no group yet → pull into a meeting or group', { state: 'price_check', decisionDate: '2026-12-20' }, [], /下一步：别自己闷头写方案/],
    [
      'all in place → the weekly call before the decision date',
      { state: 'price_check', decisionDate: '2026-12-20', groups: ['wrX'], stakeholders: ['woNEXT', 'wmB'] },
      [],
      /下一步：每周亲自打一个电话；12月20日（周日）决策前再问一次/,
    ],
  ];
  test.each(cases)('%s', async (_label, facts, entries, expected) => {
    const w = world();
    await w.store.bulkLoad([{ lead: { ...customer('woNEXT', '赵总'), ...facts }, entries }]);
    expect(await w.commands.handle('zhangsan', '电话 赵总 15分钟', '9200000000000000001', wednesday)).toMatch(expected);
  });
});

/** A nudger over the world's fakes, with the card updates and sent marks the test watches. */
function cardNudger(
  w: ReturnType<typeof world>,
  cards: { markDone(code: string, label: string): Promise<void> },
  marks: { get(key: string): Promise<{ msgid: string; responseCode: string } | undefined> },
) {
  return new Nudger({
    store: w.store,
    nudges: w.nudges,
    outbox: w.outbox,
    managers: { managerOf: async () => undefined, nameOf: async (u) => u },
    cards,
    marks,
    activity: noActivity,
    clock: w.clock,
    settings: TEST_NUDGE_SETTINGS,
    dailyCapPerRep: 10,
    escalateAfterIgnored: 3,
    log,
  });
}

describe('cards that stay true', () => {
  test('the rep acts before the card’s send completed: the card is updated once the send is known', async () => {
    const w = world();
    const updates: { code: string; label: string }[] = [];
    const cards = { markDone: async (code: string, label: string) => void updates.push({ code, label }) };
    const stored = new Map<string, { msgid: string; responseCode: string }>();
    const marks = { get: async (key: string) => stored.get(key) };
    const nudger = cardNudger(w, cards, marks);
    await w.store.bulkLoad([{ lead: { ...customer('woRACE', '卫总'), state: 'price_check' as const }, entries: [] }]);
    const sentAt = wednesday + 107; // the sweep sends at …107 ms
    expect((await nudger.checkMany(['woRACE'], sentAt)).sent).toBe(1);
    const nudgeId = (await w.store.getTimeline('woRACE')).find((e) => e.kind === 'nudge_sent')?.nudgeId as string;
    // The rep's command is received at …387 ms, before the send's answer is stored.
    await w.commands.handle('zhangsan', '电话 卫总 15分钟', '9300000000000000101', wednesday + 387);
    w.clock.set(wednesday + 60_000);
    await nudger.checkMany(['woRACE'], w.clock.now());
    expect(updates).toEqual([]); // no response_code yet: nothing to update, and nothing recorded as resolved
    expect((await w.store.getTimeline('woRACE')).filter((e) => e.kind === 'nudge_resolved')).toHaveLength(0);
    // The send completes; the next sweep updates the card, once.
    stored.set(`nudge:${nudgeId}`, { msgid: 'm', responseCode: 'rc-race' });
    w.clock.set(wednesday + 120_000);
    await nudger.checkMany(['woRACE'], w.clock.now());
    await nudger.checkMany(['woRACE'], w.clock.now());
    expect(updates).toEqual([{ code: 'rc-race', label: '已打电话' }]);
    expect((await w.store.getTimeline('woRACE')).filter((e) => e.kind === 'nudge_resolved')).toHaveLength(1);
  });

  test('a nudge resolved by a typed call: its card says so at the next sweep; a late press is answered, not logged again', async () => {
    const w = world();
    const updates: { code: string; label: string }[] = [];
    const cards = { markDone: async (code: string, label: string) => void updates.push({ code, label }) };
    const marks = { get: async (key: string) => ({ msgid: 'm', responseCode: `rc-${key}` }) };
    const nudger = cardNudger(w, cards, marks);
    await w.store.bulkLoad([{ lead: { ...customer('woTRUE', '冯总'), state: 'price_check' as const }, entries: [] }]);
    expect((await nudger.checkMany(['woTRUE'], wednesday)).sent).toBe(1);
    const sent = (await w.store.getTimeline('woTRUE')).find((e) => e.kind === 'nudge_sent');
    const nudgeId = sent?.nudgeId as string;
    // The rep calls and logs it by command, not by the card.
    w.clock.set(wednesday + 3_600_000);
    await w.commands.handle('zhangsan', '电话 冯总 15分钟', '9300000000000000001', w.clock.now());
    await nudger.checkMany(['woTRUE'], w.clock.now());
    expect(updates).toEqual([{ code: `rc-nudge:${nudgeId}`, label: '已打电话' }]);
    expect((await w.store.getTimeline('woTRUE')).filter((e) => e.kind === 'nudge_resolved')).toHaveLength(1);
    // Another sweep changes nothing.
    await nudger.checkMany(['woTRUE'], w.clock.now());
    expect(updates).toHaveLength(1);
    // The rep presses 已打电话 on the old card afterwards: answered, no second call.
    const press = {
      kind: 'template_card_event' as const,
      corpId: 'c',
      createTime: w.clock.now() / 1000,
      fromUser: 'zhangsan',
      eventKey: `called:woTRUE:${nudgeId}`,
      taskId: 't',
      cardType: 'button_interaction',
      selectedItems: [],
    };
    await w.cards.onCardClick(press, 'evt-late');
    expect((await w.store.getTimeline('woTRUE')).filter((e) => e.kind === 'call')).toHaveLength(1);
    expect(w.outbox.texts('zhangsan').some((t) => t.startsWith('这条提醒已经处理过了（已打电话）'))).toBe(true);
  });

  test('a resolved nudge is not counted as ignored: no escalation for a rep who acts by command', async () => {
    const w = world();
    await w.store.bulkLoad([{ lead: { ...customer('woACT', '蒋总'), state: 'price_check' as const }, entries: [] }]);
    for (let day = 0; day < 21; day++) {
      w.clock.set(wednesday + day * DAY_MS);
      await w.nudger.checkMany(['woACT'], w.clock.now());
      await w.commands.handle('zhangsan', '电话 蒋总 10分钟', `94000000000000000${String(day).padStart(2, '0')}`, w.clock.now() + 60_000);
    }
    expect(w.outbox.texts('lisi').filter((t) => t.startsWith('【跟进提醒升级】'))).toEqual([]);
  });
});

describe('the manager’s weekly team digest', () => {
  test('each manager gets one digest, reps ranked by risk, with the method’s figures', async () => {
    const w = world();
    const lisiLeads = ['woL1', 'woL2'].map((id) => ({ lead: { ...customer(id, `客户${id}`), owner: 'lisi' }, entries: [] as TimelineEntry[] }));
    await w.store.bulkLoad([
      {
        lead: { ...customer('woZ1', '甲总'), state: 'price_check' as const },
        entries: [{ id: 'c1', at: wednesday - DAY_MS, kind: 'call' as const, source: 'command' as const, minutes: 10 }],
      },
      ...lisiLeads,
    ]);
    const managers = { managerOf: async () => 'wangwu', nameOf: async (u: string) => ({ zhangsan: '张三', lisi: '李四' })[u] ?? u };
    const nudger = new Nudger({
      store: w.store,
      nudges: w.nudges,
      outbox: w.outbox,
      managers,
      activity: noActivity,
      clock: w.clock,
      settings: TEST_NUDGE_SETTINGS,
      dailyCapPerRep: 10,
      escalateAfterIgnored: 3,
      log,
    });
    expect(await nudger.teamDigest(['zhangsan', 'lisi'])).toBe(1);
    expect(await nudger.teamDigest(['zhangsan', 'lisi'])).toBe(1);
    const digests = w.outbox.texts('wangwu');
    expect(digests).toHaveLength(1);
    const lines = (digests[0] as string).split('\n');
    expect(lines[0]).toBe('**团队本周跟进（2 位销售，最需要关注的在前）**');
    expect(lines[1]).toBe('1. 李四：在跟 2 位 · 未定位 2 · 本周通话 0 位（2 位该打没打）· 开会 0 次 · 新建群 0 个 · 忽略提醒 0 条');
    expect(lines[2]).toBe('2. 张三：在跟 1 位 · 未定位 0 · 本周通话 1 位（0 位该打没打）· 开会 0 次 · 新建群 0 个 · 忽略提醒 0 条');
  });
});

describe('已打电话 asks how long instead of logging 0 minutes', () => {
  test('the press logs the call and sends a 5/15/30/没接通 card; a tap completes that call', async () => {
    const w = world();
    await w.store.bulkLoad([{ lead: { ...customer('woDUR', '韩总'), state: 'price_check' as const }, entries: [] }]);
    const press = (key: string, id: string) =>
      w.cards.onCardClick(
        {
          kind: 'template_card_event',
          corpId: 'c',
          createTime: wednesday / 1000,
          fromUser: 'zhangsan',
          eventKey: key,
          taskId: 't',
          cardType: 'button_interaction',
          selectedItems: [],
        },
        id,
      );
    await press('called:woDUR:n1', 'evt-call');
    const followUp = [...w.outbox.messages.values()].find((m) => m.key === 'call-follow-up:evt-call');
    expect(followUp?.body.msgtype === 'template_card' && followUp.body.template_card.button_list.map((b) => [b.text, b.key])).toEqual([
      ['5 分钟', 'min5:woDUR:evt-call'],
      ['15 分钟', 'min15:woDUR:evt-call'],
      ['30 分钟', 'min30:woDUR:evt-call'],
      ['没接通', 'noanswer:woDUR:evt-call'],
    ]);
    await press('min15:woDUR:evt-call', 'evt-15');
    const calls = (await w.store.getTimeline('woDUR')).filter((e) => e.kind === 'call');
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({ id: 'card-call:evt-call', minutes: 15, outcome: 'talked' });
    expect(w.outbox.texts('zhangsan').some((t) => t.startsWith('已记录：与韩总通话 15 分钟。'))).toBe(true);
    // Changed their mind: nobody had answered.
    await press('noanswer:woDUR:evt-call', 'evt-na');
    expect((await w.store.getTimeline('woDUR')).filter((e) => e.kind === 'call')[0]).toMatchObject({ minutes: 0, outcome: 'no_answer' });
    expect(w.outbox.texts('zhangsan').some((t) => t.startsWith('已记录：给韩总打了电话，没接通。'))).toBe(true);
  });
});

describe('an unclear message gets one short question with the best guess, not the whole help', () => {
  test('a call in other words, confirmed with 1; a buying state in other words; anything else a short hint', async () => {
    const w = world();
    await w.store.bulkLoad([{ lead: customer('woGUESS', '许总'), entries: [] }]);
    const say = (text: string, id: string) => w.commands.handle('zhangsan', text, id, wednesday);
    expect(await say('许总那边刚聊完，大概二十分钟', '9500000000000000001')).toBe('是说给许总打了电话（20 分钟）吗？回 1 确认。');
    expect(await say('1', '9500000000000000002')).toMatch(/^已记录：与许总通话 20 分钟。/);
    expect((await w.store.getTimeline('woGUESS')).filter((e) => e.kind === 'call')).toHaveLength(1);
    // 1 again: nothing pending any more.
    expect(await say('1', '9500000000000000003')).toMatch(/^没太看懂/);
    expect(await say('许总说他们在比较几家', '9500000000000000004')).toBe(
      '是说许总是「已接触过几家（陪跑）」吗？回 1 确认。'.replace('已接触过几家（陪跑）', (await import('../../src/domain/lead')).STATE_LABELS.benchmarking),
    );
    expect(await say('是', '9500000000000000005')).toMatch(/^已记录：许总 —/);
    expect((await w.store.getLead('woGUESS'))?.state).toBe('benchmarking');
    // A proposal request and a close in other words get the same one question.
    expect(await say('许总想看一下方案', '9500000000000000007')).toBe('是说许总要方案吗？回 1 确认。');
    expect(await say('1', '9500000000000000008')).toMatch(/^已记录：许总要方案。/);
    expect((await w.store.getTimeline('woGUESS')).filter((e) => e.kind === 'proposal_requested')).toHaveLength(1);
    expect(await say('许总合同已经拿下来了', '9500000000000000009')).toBe('是说许总成交了（赢单）吗？回 1 确认。');
    const hint = await say('你好啊', '9500000000000000006');
    expect(hint).toBe('没太看懂「你好啊」。可以这样写：电话 王总 20分钟 / 定位 王总 比价 / 今日\n发「帮助」看全部用法。');
  });
});

describe('a customer written with words around the name is asked about once, not refused', () => {
  test('「电话 许总啊 20分钟」 and 「定位 许总的 比价」: the command for 许总 is proposed and 1 does it; an ambiguous or unknown name is not guessed', async () => {
    const w = world();
    await w.store.bulkLoad([
      { lead: customer('woRT1', '许总'), entries: [] },
      { lead: customer('woRT2', '韩总'), entries: [] },
    ]);
    const say = (text: string, id: string) => w.commands.handle('zhangsan', text, id, wednesday);
    expect(await say('电话 许总啊 20分钟 他说月底前定', '9510000000000000001')).toBe(
      '没有叫「许总啊」的客户。是说「电话 许总 20分钟 他说月底前定」吗？回 1 确认。',
    );
    expect(await say('1', '9510000000000000002')).toMatch(/^已记录：与许总通话 20 分钟。/);
    const calls = (await w.store.getTimeline('woRT1')).filter((e) => e.kind === 'call');
    expect(calls).toHaveLength(1);
    expect((await w.store.getLead('woRT1'))?.decisionDate).toBeDefined();
    expect(await say('定位 许总的 比价', '9510000000000000003')).toBe('没有叫「许总的」的客户。是说「定位 许总 比价」吗？回 1 确认。');
    expect(await say('对', '9510000000000000004')).toMatch(/^已记录：许总 —/);
    expect((await w.store.getLead('woRT1'))?.state).toBe('price_check');
    // Two customers inside the name: no guess, the plain answer.
    expect(await say('电话 许总韩总 20分钟', '9510000000000000005')).toBe('没有找到客户「许总韩总」。发「今日」看你的客户，或用「线索 许总韩总 询价单」新建。');
    expect(await say('1', '9510000000000000006')).toMatch(/^没太看懂/);
    // 暂停 in other words is guessed too.
    expect(await say('韩总出差了，先暂停两周', '9510000000000000007')).toBe('是说韩总先暂停提醒 14 天吗？回 1 确认。');
    expect(await say('1', '9510000000000000008')).toMatch(/^好，14 天内不再提醒韩总/);
  });
});

describe('the bot’s last question is answered by the very next message', () => {
  test('a meeting without a time: the time alone completes it; anything else drops the question; a stale 1 confirms nothing', async () => {
    const w = world();
    await w.store.bulkLoad([{ lead: customer('woASK', '许总'), entries: [] }]);
    const say = (text: string, id: string) => w.commands.handle('zhangsan', text, id, wednesday);
    expect(await say('会议 许总 下周', '9520000000000000001')).toBe('和许总约在什么时候？直接回时间就行，例如「周四15:00」或「明天下午」。');
    // 下周 stays the context: next week's Thursday, not this one's.
    expect(await say('周四下午3点', '9520000000000000002')).toMatch(/^已约好：12月3日（周四）15:00 与许总的会议。/);
    expect((await w.store.getTimeline('woASK')).filter((e) => e.kind === 'meeting_scheduled')).toHaveLength(1);
    // Asked again, then the rep writes something else: the question is dropped, a later time is not a meeting.
    expect(await say('会议 许总', '9520000000000000003')).toMatch(/^和许总约在什么时候？/);
    expect(await say('今日', '9520000000000000004')).toMatch(/许总/);
    expect(await say('明天下午', '9520000000000000005')).toMatch(/^没太看懂/);
    expect((await w.store.getTimeline('woASK')).filter((e) => e.kind === 'meeting_scheduled')).toHaveLength(1);
    // A guess, then another message, then 1: the 1 does not confirm the old guess.
    expect(await say('许总那边刚聊完，大概二十分钟', '9520000000000000006')).toMatch(/^是说给许总打了电话/);
    await say('今日', '9520000000000000007');
    expect(await say('1', '9520000000000000008')).toMatch(/^没太看懂/);
    expect((await w.store.getTimeline('woASK')).filter((e) => e.kind === 'call')).toHaveLength(0);
  });
});

describe('a call note in the customer’s words is read like their messages', () => {
  test('「电话 王总 20分钟 他说在比较几家，要个方案」: signals from the note, a benchmarking suggestion, a proposal request', async () => {
    const w = world();
    await w.store.bulkLoad([{ lead: customer('woNOTE', '韩总'), entries: [] }]);
    await w.commands.handle('zhangsan', '电话 韩总 20分钟 他说在比较几家，让我发个方案', '9600000000000000001', wednesday);
    const timeline = await w.store.getTimeline('woNOTE');
    const call = timeline.find((e) => e.kind === 'call');
    expect(timeline.filter((e) => e.kind === 'signal').map((e) => [e.signal, e.sourceEntryId])).toEqual(
      expect.arrayContaining([
        ['competitors', call?.id],
        ['proposal_request', call?.id],
      ]),
    );
    expect(timeline.filter((e) => e.kind === 'proposal_requested')).toHaveLength(1);
    expect(stateSuggestionOf((await w.store.getLead('woNOTE')) as Lead, timeline)).toMatchObject({ state: 'benchmarking', evidence: [call?.id] });
  });
});

describe('replies as a person would write them', () => {
  const setup = async () => {
    const w = world();
    await w.store.bulkLoad([
      { lead: customer('woRW1', '王总'), entries: [] },
      { lead: customer('woRW2', '刘总'), entries: [] },
    ]);
    let n = 9_700_000_000_000_000_000n;
    const say = (text: string) => w.commands.handle('zhangsan', text, String(n++), wednesday);
    return { w, say };
  };

  test('an emoji alone is answered without empty quotes', async () => {
    const { say } = await setup();
    const reply = await say('👍');
    expect(reply).not.toContain('「」');
    expect(reply).toMatch(/^收到。/);
  });

  test('a loss reason comes back in the rep’s own words, and the post-mortem asks about what was said', async () => {
    const { say } = await setup();
    const budget = await say('王总预算砍了 今年不上了');
    expect(budget).toMatch(/^已记为输单：王总（预算砍了 今年不上了）。/);
    expect(budget).toMatch(/预算/);
    expect(budget).not.toMatch(/友商/);
    const { say: say2 } = await setup();
    expect(await say2('王总那边说选了友商')).toMatch(/友商占走/);
  });

  test('「王总那边打了个电话，二十分钟」 is a 20-minute call with 王总', async () => {
    const { say, w } = await setup();
    expect(await say('王总那边打了个电话，二十分钟')).toMatch(/^已记录：与王总通话 20 分钟。/);
    expect((await w.store.getTimeline('woRW1')).filter((e) => e.kind === 'call')).toHaveLength(1);
  });

  test('「刘总要报价单」 is answered as what was asked for', async () => {
    const { say } = await setup();
    expect(await say('刘总要报价单')).toMatch(/^已记录：刘总要报价单。\n别一个人写报价单和方案/);
  });

  test('a second meeting at the same hour is booked and the clash is said', async () => {
    const { say } = await setup();
    expect(await say('会议 王总 周五下午3点')).toMatch(/^已约好：11月27日（周五）15:00 与王总的会议。/);
    const second = await say('会议 刘总 周五15:30');
    expect(second).toMatch(/^已约好：11月27日（周五）15:30 与刘总的会议。/);
    expect(second).toContain('注意：11月27日（周五）15:00 你已经约了与王总的会，两场会时间重叠。');
    expect(await say('会议 刘总 周五下午5点')).not.toContain('重叠');
  });

  test('a call note that says 在比较几家 gets what it suggests, with the command to confirm it', async () => {
    const { say } = await setup();
    const reply = await say('电话 王总 20分钟 他说在比较几家');
    expect(reply).toContain('听你记的，王总像是「');
    expect(reply).toContain('回复「定位 王总 陪跑」');
  });
});
