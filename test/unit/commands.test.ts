import { parseCommand, parseMinutes } from '../../src/domain/commands';

// Friday 2026-11-27 10:00 in Shanghai
const NOW = Date.parse('2026-11-27T02:00:00Z');
const TZ = 'Asia/Shanghai';
const p = (t: string) => parseCommand(t, NOW, TZ);

describe('rep commands', () => {
  test.each([
    ['帮助', { cmd: 'help' }],
    ['help', { cmd: 'help' }],
    ['？', { cmd: 'help' }],
    ['今日', { cmd: 'today' }],
    ['today', { cmd: 'today' }],
    ['定位 王总 比价', { cmd: 'position', target: '王总', state: 'price_check' }],
    ['定位 王总 观望', { cmd: 'position', target: '王总', state: 'exploring' }],
    ['定位 王总 陪跑', { cmd: 'position', target: '王总', state: 'benchmarking' }],
    ['定位王总比价', { cmd: 'position', target: '王总', state: 'price_check' }],
    ['定位　王总　比价', { cmd: 'position', target: '王总', state: 'price_check' }],
    ['position #2 bench', { cmd: 'position', target: '#2', state: 'benchmarking' }],
    ['@跟进助手 定位 李部长 先看看方案', { cmd: 'position', target: '李部长', state: 'exploring' }],
    ['要方案 王总', { cmd: 'proposal', target: '王总' }],
    ['proposal 王总', { cmd: 'proposal', target: '王总' }],
    ['建群 王总', { cmd: 'group', target: '王总' }],
    ['合并 #1 张建国', { cmd: 'merge', target: '#1', into: '张建国' }],
    ['合并 张总 张建国', { cmd: 'merge', target: '张总', into: '张建国' }],
    ['merge #2 zhang', { cmd: 'merge', target: '#2', into: 'zhang' }],
    ['暂停 王总 3天', { cmd: 'snooze', target: '王总', days: 3 }],
    ['暂停 王总 2周', { cmd: 'snooze', target: '王总', days: 14 }],
    ['snooze 王总', { cmd: 'snooze', target: '王总', days: 3 }],
    ['赢单 王总', { cmd: 'won', target: '王总' }],
    ['输单 王总 预算不够', { cmd: 'lost', target: '王总', reason: '预算不够' }],
    ['输单王总预算不够', { cmd: 'lost', target: '王总', reason: '预算不够' }],
    ['线索 张总 询价单', { cmd: 'lead', name: '张总', source: 'inquiry' }],
    ['线索 张总 市场部转过来的', { cmd: 'lead', name: '张总', source: 'marketing' }],
    ['线索 张总', { cmd: 'lead', name: '张总', source: 'other' }],
  ])('%s', (text, expected) => {
    expect(p(text)).toMatchObject(expected);
  });

  test('a call with minutes, note and a decision date', () => {
    expect(p('电话 王总 20分钟 方案下周三定')).toMatchObject({
      cmd: 'call',
      target: '王总',
      minutes: 20,
      outcome: 'talked',
      note: '方案下周三定',
      decision: { date: '2026-12-02', hasTime: false },
    });
  });
  test.each([
    ['电话王总20分钟', 20],
    ['电话 王总 20 min', 20],
    ['电话 王总 半小时', 30],
    ['电话 王总 1小时', 60],
    ['电话 王总 1.5小时 聊了需求', 90],
    ['电话 王总 15分 ', 15],
    ['call 王总 25m', 25],
    ['电话 王总 ２０分钟', 20],
  ])('minutes in %s', (text, minutes) => {
    expect(p(text)).toMatchObject({ cmd: 'call', target: '王总', minutes });
  });
  test('a call nobody answered', () => {
    expect(p('电话 王总 没接')).toMatchObject({ cmd: 'call', outcome: 'no_answer', minutes: 0 });
  });
  test('meeting with a time', () => {
    const c = p('会议 王总 周四15:00');
    expect(c).toMatchObject({ cmd: 'meeting', target: '王总', when: { date: '2026-12-03', hasTime: true } });
    if (c.cmd === 'meeting') expect(new Date(c.when?.at ?? 0).toISOString()).toBe('2026-12-03T07:00:00.000Z');
  });
  test('meeting tomorrow afternoon', () => {
    const c = p('约会议 王总 明天下午3点');
    if (c.cmd !== 'meeting') throw new Error('not a meeting');
    expect(new Date(c.when?.at ?? 0).toISOString()).toBe('2026-11-28T07:00:00.000Z');
  });
  test.each([
    ['你好', undefined],
    ['定位', '定位 王总 比价 / 观望 / 陪跑'],
    ['定位 王总', '定位 王总 比价 / 观望 / 陪跑'],
    ['电话', '电话 王总 20分钟 方案下周三定'],
    ['called 王总', undefined],
    ['合并 张总', '合并 #1 张建国（把手工线索 #1 并到企业微信客户张建国）'],
  ])('not understood: %s', (text, hint) => {
    expect(p(text)).toMatchObject({ cmd: 'unknown', ...(hint ? { hint } : {}) });
  });
});

test('parseMinutes leaves the rest', () => {
  expect(parseMinutes('20分钟 方案下周三定')).toEqual({ minutes: 20, rest: '方案下周三定' });
  expect(parseMinutes('没谈')).toEqual({ rest: '没谈' });
});
