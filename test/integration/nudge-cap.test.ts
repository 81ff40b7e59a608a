import { DateTime } from 'luxon';
import { createRedis } from '../../src/store/redis';
import { Nudger } from '../../src/app/nudger';
import type { MessageOutbox, OutboundMessage } from '../../src/app/ports';
import { ManualClock } from '../../src/domain/clock';
import { newLead } from '../../src/domain/lead';
import { DAY_MS } from '../../src/domain/metrics';
import { LedgerStore } from '../../src/store/ledger-store';
import { NudgeStore } from '../../src/store/nudge-store';
import { ActivityStore } from '../../src/store/activity-store';
import { TEST_NUDGE_SETTINGS } from '../helpers/nudge-settings';
import { captureLogger, cleanupRedis, REDIS_URL, uniquePrefix } from '../helpers/config';

const prefix = uniquePrefix('nudgecap');
const redis = createRedis(REDIS_URL, 'general');
const wednesday = DateTime.fromISO('2026-11-25T10:00:00', { zone: 'Asia/Shanghai' }).toMillis();
const clock = new ManualClock(wednesday);
const settings = TEST_NUDGE_SETTINGS;
const sent: OutboundMessage[] = [];
const outbox: MessageOutbox = {
  enqueue: async (m) => void sent.push(m),
  enqueueMany: async (ms) => void sent.push(...ms),
};
const store = new LedgerStore(redis, prefix, clock);
const nudges = new NudgeStore(redis, prefix);
const { log } = captureLogger();
const nudger = new Nudger({
  store,
  nudges,
  outbox,
  managers: { managerOf: async (rep) => (rep === 'zhangsan' ? 'lisi' : undefined), nameOf: async (u) => u },
  activity: new ActivityStore(redis, prefix),
  clock,
  settings,
  dailyCapPerRep: 3,
  escalateAfterIgnored: 3,
  log,
});

afterAll(async () => {
  await cleanupRedis(prefix);
  redis.disconnect();
});

test('a rep gets at most dailyCapPerRep nudges a day; the overflow waits for the digest, not lost', async () => {
  const leads = Array.from({ length: 5 }, (_, i) =>
    newLead({ id: `woCAP${i}`, externalUserId: `woCAP${i}`, name: `客户${i}`, owner: 'zhangsan', source: 'web', createdAt: wednesday - 10 * DAY_MS }),
  );
  await store.bulkLoad(leads.map((lead) => ({ lead, entries: [] })));
  for (const l of leads) await store.setDue(l.id, wednesday - 1);
  const r = await nudger.sweep(100);
  expect(r).toEqual({ checked: 5, sent: 3, capped: 2 });
  expect(sent.filter((m) => m.body.msgtype === 'template_card')).toHaveLength(3);
  // Sweeping again the same day: nothing more, nothing twice.
  for (const l of leads) await store.setDue(l.id, wednesday);
  expect(await nudger.sweep(100)).toMatchObject({ sent: 0 });
  expect(sent.filter((m) => m.body.msgtype === 'template_card')).toHaveLength(3);
  // Monday's digest folds the overflow in.
  clock.set(DateTime.fromISO('2026-11-30T09:00:00', { zone: 'Asia/Shanghai' }).toMillis());
  const titles = async (rep: string) => (await Promise.all((await nudges.takeOverflow(rep)).map((id) => nudges.get(id)))).map((n) => n?.title ?? '');
  expect(await nudger.digest(['zhangsan'], titles)).toBe(1);
  const digest = sent.at(-1);
  expect(digest?.body.msgtype).toBe('markdown');
  const text = digest?.body.msgtype === 'markdown' ? digest.body.markdown.content : '';
  expect(text).toMatch(/本周要亲自打的电话（5 位）/);
  expect(text.match(/超出每日提醒上限/g)).toHaveLength(1);
  expect(text).toMatch(/客户\d：先定位[\s\S]*客户\d：先定位/);
  expect(await nudges.takeOverflow('zhangsan')).toEqual([]); // cleared
});

test('the same lead’s nudge ignored three times goes to the manager', async () => {
  const lead = newLead({
    id: 'woIGNORED1',
    externalUserId: 'woIGNORED1',
    name: '赵总',
    owner: 'zhangsan',
    source: 'web',
    createdAt: wednesday - 30 * DAY_MS,
    state: 'exploring',
  });
  await store.bulkLoad([{ lead, entries: [{ id: 'c', at: wednesday - 30 * DAY_MS, kind: 'call', source: 'command', minutes: 5 }] }]);
  const before = sent.length;
  // three weekly-call nudges, a week apart, none acted on
  for (let week = 0; week < 4; week++) {
    clock.set(DateTime.fromISO('2026-12-02T10:00:00', { zone: 'Asia/Shanghai' }).plus({ weeks: week }).toMillis());
    expect(await nudger.check(lead.id, clock.now())).toBe('sent');
  }
  const toManager = sent.slice(before).filter((m) => m.touser === 'lisi');
  expect(toManager).toHaveLength(1);
  expect(toManager[0]?.body.msgtype === 'text' && toManager[0].body.text.content).toMatch(/赵总[\s\S]*已提醒 3 次没有处理/);
});

test('the allowance admits per rep and per day, idempotently, also when chunks of a batch ask at once', async () => {
  const ask = (ids: string[], rep: string, dayId = '20261126') =>
    nudges.admitMany(
      ids.map((id) => ({ id, rep, dayId })),
      3,
    );
  const [a, b] = await Promise.all([ask(['a1', 'a2'], 'wangwu'), ask(['a3', 'a4'], 'wangwu')]);
  expect([...(a ?? []), ...(b ?? [])].filter((x) => x.allowed)).toHaveLength(3); // cap 3, whichever chunk came first
  // Asking again gives the same answers; another rep and another day have their own allowance.
  const again = await ask(['a1', 'a2', 'a3', 'a4'], 'wangwu');
  expect(again.map((x) => x.allowed)).toEqual([...(a ?? []), ...(b ?? [])].map((x) => x.allowed));
  expect((await ask(['b1', 'b2', 'b3', 'b4'], 'zhaoliu')).map((x) => x.allowed)).toEqual([true, true, true, false]);
  expect((await ask(['a5'], 'wangwu', '20261127')).map((x) => x.allowed)).toEqual([true]);
  // One batch with several days asks once per day.
  const mixed = await nudges.admitMany(
    [
      { id: 'c1', rep: 'qianqi', dayId: '20261201' },
      { id: 'c2', rep: 'qianqi', dayId: '20261202' },
    ],
    1,
  );
  expect(mixed).toEqual([
    { id: 'c1', allowed: true },
    { id: 'c2', allowed: true },
  ]);
});

test('a sweep batch split into concurrent chunks still gives each rep exactly its cap', async () => {
  const leads = Array.from({ length: 600 }, (_, i) =>
    newLead({
      id: `woCHUNK${i}`,
      externalUserId: `woCHUNK${i}`,
      name: `客户${i}`,
      owner: `chunkrep${i % 3}`,
      source: 'web',
      createdAt: clock.now() - 10 * DAY_MS,
    }),
  );
  await store.bulkLoad(leads.map((lead) => ({ lead, entries: [] })));
  for (const l of leads) await store.setDue(l.id, clock.now() - 1);
  const before = sent.length;
  // Earlier tests left a few leads due too: count only this test's reps.
  while ((await nudger.sweep(500)).checked === 500);
  const cards = sent.slice(before).filter((m) => m.body.msgtype === 'template_card' && m.touser.startsWith('chunkrep'));
  expect(cards.map((m) => m.touser).sort()).toEqual([
    'chunkrep0',
    'chunkrep0',
    'chunkrep0',
    'chunkrep1',
    'chunkrep1',
    'chunkrep1',
    'chunkrep2',
    'chunkrep2',
    'chunkrep2',
  ]);
  const held = await Promise.all(['chunkrep0', 'chunkrep1', 'chunkrep2'].map((r) => nudges.takeOverflow(r)));
  expect(held.map((h) => h.length)).toEqual([197, 197, 197]);
});
