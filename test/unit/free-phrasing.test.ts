/**
 * The ways reps actually write (issue 11): the verb anywhere, durations in Chinese words, state synonyms,
 * voice-to-text punctuation and full-width characters. Each line: what the rep typed → what the bot reads.
 */
import { parseCommand, type RepCommand } from '../../src/domain/commands';

// Friday 2026-11-27 10:00 in Shanghai
const NOW = Date.parse('2026-11-27T02:00:00Z');
const p = (t: string) => parseCommand(t, NOW, 'Asia/Shanghai');

const TABLE: [string, Partial<RepCommand> & { cmd: RepCommand['cmd'] }][] = [
  ['打了电话给王总，聊了20分钟', { cmd: 'call', target: '王总', minutes: 20, outcome: 'talked' }],
  ['打电话给王总 聊了二十分钟', { cmd: 'call', target: '王总', minutes: 20 }],
  ['刚打了个电话给陈经理。', { cmd: 'call', target: '陈经理', outcome: 'talked' }],
  ['给王总打了电话', { cmd: 'call', target: '王总', outcome: 'talked' }],
  ['给王总打了个电话，聊了半个小时', { cmd: 'call', target: '王总', minutes: 30 }],
  ['刚给李部长打了个电话，没接', { cmd: 'call', target: '李部长', outcome: 'no_answer' }],
  ['跟王总通了20分钟电话', { cmd: 'call', target: '王总', minutes: 20 }],
  ['和刘总通了电话 一刻钟', { cmd: 'call', target: '刘总', minutes: 15 }],
  ['与#2打了一通电话', { cmd: 'call', target: '#2' }],
  ['王总电话 半小时', { cmd: 'call', target: '王总', minutes: 30 }],
  ['王总 电话 20分钟', { cmd: 'call', target: '王总', minutes: 20 }],
  ['电话 王总 二十分钟', { cmd: 'call', target: '王总', minutes: 20 }],
  ['电话 王总 一个半小时', { cmd: 'call', target: '王总', minutes: 90 }],
  ['电话 王总 两小时', { cmd: 'call', target: '王总', minutes: 120 }],
  ['电话 王总 三十五分钟', { cmd: 'call', target: '王总', minutes: 35 }],
  ['电话　王总　２０分钟', { cmd: 'call', target: '王总', minutes: 20 }],
  ['电话 王总 一刻钟 方案下周三定', { cmd: 'call', target: '王总', minutes: 15 }],
  ['打了电话给王总，聊了20分钟，方案下周三定', { cmd: 'call', target: '王总', minutes: 20 }],
  ['定位 陈经理 在比较几家', { cmd: 'position', target: '陈经理', state: 'benchmarking' }],
  ['定位 陈经理 货比三家', { cmd: 'position', target: '陈经理', state: 'benchmarking' }],
  ['定位 陈经理 他们在对比', { cmd: 'position', target: '陈经理', state: 'benchmarking' }],
  ['定位 王总 别家已经出方案了', { cmd: 'position', target: '王总', state: 'benchmarking' }],
  ['定位 王总 问价', { cmd: 'position', target: '王总', state: 'price_check' }],
  ['定位 王总 比价格', { cmd: 'position', target: '王总', state: 'price_check' }],
  ['定位 王总 先看看', { cmd: 'position', target: '王总', state: 'exploring' }],
  ['定位 王总 还没定要不要', { cmd: 'position', target: '王总', state: 'exploring' }],
  ['定位 王总 还没想好', { cmd: 'position', target: '王总', state: 'exploring' }],
  ['定位 #1 先了解一下', { cmd: 'position', target: '#1', state: 'exploring' }],
  ['会议 王总 明天下午3点', { cmd: 'meeting', target: '王总' }],
  ['重开 王总', { cmd: 'reopen', target: '王总' }],
];

test.each(TABLE)('%s', (text, expected) => {
  expect(p(text)).toMatchObject(expected);
});

test('the share understood is reported', () => {
  const understood = TABLE.filter(([t, e]) => p(t).cmd === e.cmd).length;
  expect(understood / TABLE.length).toBe(1);
});
