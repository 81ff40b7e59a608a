/**
 * The customer-text reader: every signal with its cue, negation before and after a cue, contrast splitting a
 * message, full-width punctuation, traditional characters, emoji, mixed English, decision dates in the business time
 * zone; and the suggestions derived from signals on a timeline.
 */
import { newLead } from '../../src/domain/lead';
import { LexiconReader, stateOfSignals } from '../../src/domain/signals/reader';
import { decisionHistory, decisionSuggestionOf, signalEntries, stateSuggestionOf } from '../../src/domain/signals/suggestion';
import type { TimelineEntry } from '../../src/domain/timeline';
import { jiebaSegmenter } from '../../src/text/segmenter';

// Friday 2026-11-27 10:00 in Shanghai (02:00 UTC).
const NOW = Date.parse('2026-11-27T02:00:00Z');
const TZ = 'Asia/Shanghai';
const reader = new LexiconReader(jiebaSegmenter);
const read = (t: string, now = NOW) => reader.read(t, now, TZ);
const kinds = (t: string) =>
  read(t)
    .map((s) => s.signal)
    .sort();

describe('each signal, with the words that triggered it', () => {
  test.each<[string, string[]]>([
    ['麻烦报个价', ['price']],
    ['你们怎么收费的', ['price']],
    ['能不能打个折', ['price']],
    ['按年付费还是按账号', ['price']],
    ['我们也在看纷享销客', ['competitors']],
    ['这个项目要公开招标', ['competitors']],
    ['已经对比了好几家', ['competitors']],
    ['我们还没想好要不要上，先了解一下', ['undecided']],
    ['明年才有预算', ['undecided']],
    ['领导还没拍板', ['undecided']],
    ['发一份详细的方案给我', ['proposal_request']],
    ['有产品手册吗？发一份', ['proposal_request']],
    ['报价单 发我', ['price', 'proposal_request']],
    ['别家已经给了报价，你们也发一份方案我们比比', ['competitors', 'price', 'proposal_request']],
    ['下周五开会定', ['decision_timing']],
    ['好的谢谢', []],
  ])('%s → %j', (text, expected) => {
    expect(kinds(text)).toEqual(expected);
  });

  test('the cue is the customer’s clause that triggered it', () => {
    const s = read('你好，我们在比较几家，麻烦报个价');
    expect(s.find((x) => x.signal === 'competitors')?.cue).toBe('我们在比较几家');
    expect(s.find((x) => x.signal === 'price')?.cue).toBe('麻烦报个价');
  });
});

describe('negation and contrast', () => {
  test.each<[string, string[]]>([
    ['价格不是问题', []],
    ['价格无所谓，关键是稳定', []],
    ['我们没找别家', []],
    ['不用比了，就你们家', []],
    ['方案就不用发了', []],
    ['不需要报价单', []],
    ['不是不想买，是预算还没批', ['undecided']],
    ['不是没预算，是时间不合适', []],
    ['还没定下来要不要做', ['undecided']],
    ['不知道价格多少', ['price']],
    ['价格还行，但是别家也在谈', ['competitors']],
    ['别家的方案我们看过了，不过还是想先了解一下你们', ['competitors', 'undecided']],
    ['别的公司也在给我们做方案', ['competitors']],
    ['我发一份我们的需求给你', []],
    ['方案收到了，我看看', []],
    ['感谢发来的资料', []],
    ['如果需要方案我再联系你', []],
    ['你们出方案一般要多久', []],
    ['视频会议链接发一下', []],
    ['能不能提供几个同行业的客户案例', ['proposal_request']],
    ['别家都给了方案，你们什么时候给', ['competitors', 'proposal_request']],
    ['我们没预算的问题，主要是时间', []],
    ['没想好用不用', ['undecided']],
    ['我们想先问问费用', ['price']],
  ])('%s → %j', (text, expected) => {
    expect(kinds(text)).toEqual(expected);
  });

  test('no suggestion from a message with only a negated cue', () => {
    for (const t of ['价格不是问题', '我们没找别家', '不用比了', '不是没预算', '不需要方案', '没有在比价']) {
      expect({ t, state: stateOfSignals(read(t)) }).toEqual({ t, state: undefined });
    }
  });
});

describe('how it reaches us: full width, traditional, emoji, mixed English, voice input', () => {
  test.each<[string, string[]]>([
    ['麻烦报个价！！', ['price']],
    ['多少钱？？？', ['price']],
    ['費用多少', ['price']],
    ['我們還沒決定', ['undecided']],
    ['报个价😂🙏', ['price']],
    ['how much per year', ['price']],
    ['Hi，想问下price，按user算吗', ['price']],
    ['我们 还在 考虑 要不要 上', ['undecided']],
    ['嗯那个价格怎么算的啊就是按人头还是', ['price']],
  ])('%s → %j', (text, expected) => {
    expect(kinds(text)).toEqual(expected);
  });
});

describe('decision timing, resolved in the business time zone', () => {
  test.each<[string, string]>([
    ['下周五开会定', '2026-12-04'],
    ['月底前给结论', '2026-11-30'],
    ['12月10号前答复你', '2026-12-10'],
    ['下下周五再定', '2026-12-11'],
    ['下个月底前确定', '2026-12-31'],
  ])('%s → %s', (text, date) => {
    expect(read(text).find((s) => s.signal === 'decision_timing')?.date).toBe(date);
  });

  test('「明天定」 said at 03:00 on Saturday Shanghai time (19:00 Friday in UTC) is Sunday, not Saturday', () => {
    const late = Date.parse('2026-11-27T19:00:00Z');
    expect(read('明天定', late).find((s) => s.signal === 'decision_timing')?.date).toBe('2026-11-29');
  });

  test('a date they cannot keep is no decision date', () => {
    expect(kinds('下周还定不了')).toEqual([]);
  });
});

describe('suggestions from signals on the timeline', () => {
  const lead = newLead({ id: 'woS', externalUserId: 'woS', name: '王', owner: 'zhangsan', source: 'inquiry', createdAt: NOW - 86_400_000 });
  const message = (id: string, text: string, at: number): TimelineEntry[] => {
    const source: TimelineEntry = { id, at, kind: 'customer_message', source: 'archive', actor: 'woS', note: text };
    return [source, ...signalEntries(source, read(text, at))];
  };

  test('a benchmarking message suggests 陪跑 with its evidence; setting the state ends it; new words start a new one', () => {
    const t1 = message('m1', '我们在比较几家', NOW);
    expect(stateSuggestionOf(lead, t1)).toMatchObject({ state: 'benchmarking', evidence: ['m1'], cue: '我们在比较几家' });
    const set: TimelineEntry = { id: 's', at: NOW + 1, kind: 'state_changed', source: 'card', from: 'unknown', to: 'benchmarking' };
    expect(stateSuggestionOf({ ...lead, state: 'benchmarking' }, [...t1, set])).toBeNull();
    const t2 = [...t1, set, ...message('m2', '麻烦报个价', NOW + 2)];
    expect(stateSuggestionOf({ ...lead, state: 'benchmarking' }, t2)).toMatchObject({ state: 'price_check', evidence: ['m2'] });
  });

  test('都不是 sets it aside until the customer says something new', () => {
    const t1 = message('m1', '先了解一下', NOW);
    const no: TimelineEntry = { id: 'a', at: NOW + 1, kind: 'suggestion_answered', source: 'card', note: 'state', to: 'none' };
    expect(stateSuggestionOf(lead, [...t1, no])).toBeNull();
    expect(stateSuggestionOf(lead, [...t1, no, ...message('m2', '还在考虑要不要上', NOW + 2)])).toMatchObject({ state: 'exploring' });
  });

  test('evidence adds up; a weak cue alone is not put to the rep', () => {
    expect(stateSuggestionOf(lead, message('m1', '贵', NOW))).toMatchObject({ state: 'price_check', confidence: 0.6 });
    const two = [...message('m1', '贵', NOW), ...message('m2', '有点贵啊', NOW + 1)];
    expect(stateSuggestionOf(lead, two)?.confidence).toBeGreaterThan(0.8);
  });

  test('the decision date named latest, until the rep records or answers one; slips counted', () => {
    const t = [...message('m1', '下周五开会定', NOW)];
    expect(decisionSuggestionOf(lead, t, '2026-11-27')).toMatchObject({ date: '2026-12-04', evidence: ['m1'] });
    const set = (id: string, to: string, at: number): TimelineEntry => ({ id, at, kind: 'decision_date_set', source: 'card', to });
    expect(decisionSuggestionOf({ ...lead, decisionDate: '2026-12-04' }, [...t, set('d1', '2026-12-04', NOW + 1)], '2026-11-27')).toBeNull();
    const history = decisionHistory([set('d1', '2026-12-04', 1), set('d2', '2026-12-11', 2), set('d3', '2026-12-09', 3), set('d4', '2026-12-18', 4)]);
    expect(history.slips).toBe(2);
    expect(history.dates.map((d) => d.date)).toEqual(['2026-12-04', '2026-12-11', '2026-12-09', '2026-12-18']);
  });
});

test('a company’s own competitors (config signals.competitors) are read as competitors', () => {
  const mine = new LexiconReader(jiebaSegmenter, { competitors: ['智联云SCRM', 'A+B'] });
  expect(mine.read('智联云scrm也找过我们', NOW, TZ).map((s) => s.signal)).toEqual(['competitors']);
  expect(mine.read('a+b报价更低', NOW, TZ).map((s) => s.signal)).toContain('competitors');
  expect(read('智联云scrm也找过我们')).toEqual([]);
});

describe('a message the customer recalled', () => {
  const lead = newLead({ id: 'woR', externalUserId: 'woR', name: '王总', owner: 'zhangsan', source: 'inquiry', createdAt: NOW - 86_400_000 });
  const message: TimelineEntry = { id: 'archive:m1', at: NOW - 60_000, kind: 'customer_message', source: 'archive', note: '别家已经报了价，下周五定' };
  const signals = signalEntries(message, reader.read(message.note as string, NOW, TZ));
  test('suggests nothing once it is taken back', () => {
    expect(stateSuggestionOf(lead, [message, ...signals])?.state).toBe('benchmarking');
    expect(decisionSuggestionOf(lead, [message, ...signals], '2026-11-27')?.date).toBe('2026-12-04');
    const recall: TimelineEntry = { id: 'archive:r1', at: NOW, kind: 'customer_message', source: 'archive', note: '[撤回了一条消息]', recalls: 'archive:m1' };
    expect(stateSuggestionOf(lead, [message, ...signals, recall])).toBeNull();
    expect(decisionSuggestionOf(lead, [message, ...signals, recall], '2026-11-27')).toBeNull();
  });
});
