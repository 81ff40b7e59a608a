/**
 * Bounded work per message: every reader of what a person types — the command parser, the best guess, the date
 * reader, the customer-text reader — finishes in a few milliseconds on crafted inputs up to its cap: long runs of each
 * word the rules know (time words, digits, Chinese numbers, verbs, names), alone, alternating and after each command
 * verb, with a suffix that makes the match fail at the very end. An ambiguous alternation under a quantifier, or a
 * digit run read from every position, takes seconds on these inputs.
 */
import { guessCommand, MAX_COMMAND_CHARS, parseCommand } from '../../src/domain/commands';
import { parseWhen } from '../../src/domain/chinese-dates';
import { normalize, normalizeDurations, rephrase } from '../../src/domain/rephrase';
import { LexiconReader, READ_LIMITS } from '../../src/domain/signals/reader';
import { jiebaSegmenter } from '../../src/text/segmenter';

const NOW = Date.parse('2026-12-02T01:00:00Z');
const TZ = 'Asia/Shanghai';
const reader = new LexiconReader(jiebaSegmenter, { competitors: ['纷享销客'] });

/** Words the rules and lexicons are built of, and characters that end a run. */
const ATOMS = [
  '刚',
  '刚刚',
  '刚才',
  '今天',
  '下午',
  '上午',
  '昨天',
  '晚上',
  '1',
  '12',
  '1.',
  '1:',
  '1 ',
  '一',
  '十',
  '二十',
  '两',
  '个',
  '会',
  '会议',
  '约',
  '定',
  '的',
  '了',
  '给',
  '和',
  '跟',
  '打',
  '电话',
  '王总',
  '王',
  '总',
  '#1',
  '# ',
  ' ',
  '号',
  '月',
  '周',
  '下周',
  '下下',
  '点',
  '分钟',
  '小时',
  '半',
  '来',
  '多',
  '天',
  '是',
  '要',
  '方案',
  '报价',
  '发',
  '群',
  '签了',
  '不',
  '没',
  '比价',
  'a',
  'A',
  '·',
  '@',
  '嗯',
  '那个',
  '，',
  '😀',
  '\u200d',
];
const PREFIXES = ['', '电话 王总 ', '会议 王总 ', '定位 王总 ', '跟王总约', '给王总', '刚', '王总', '暂停 王总 ', '输单 王总 '];
const SUFFIXES = ['', 'x', '\n', '次', '电话', '开会', '定'];

function* craftedInputs(max: number): Generator<string> {
  for (const p of PREFIXES)
    for (const s of SUFFIXES) {
      const room = max - p.length - s.length;
      for (const a of ATOMS) yield p + a.repeat(Math.floor(room / a.length)) + s;
      for (let i = 0; i < ATOMS.length; i += 3) {
        const pair = (ATOMS[i] as string) + (ATOMS[(i * 7 + 5) % ATOMS.length] as string);
        yield p + pair.repeat(Math.floor(room / pair.length)) + s;
      }
    }
}

/** The slowest of `inputs` through `f`, in milliseconds (each timed as the best of three, so one GC pause is not a miss). */
function slowest(inputs: Iterable<string>, f: (s: string) => unknown): { ms: number; input: string } {
  let worst = { ms: 0, input: '' };
  for (const input of inputs) {
    let best = Infinity;
    for (let i = 0; i < 3; i++) {
      const t = performance.now();
      f(input);
      best = Math.min(best, performance.now() - t);
      if (best < 2) break;
    }
    if (best > worst.ms) worst = { ms: best, input };
  }
  return worst;
}

const BUDGET_MS = 25;
const show = (w: { ms: number; input: string }) => `${w.ms.toFixed(1)} ms on ${JSON.stringify(w.input.slice(0, 40))}… (${w.input.length} chars)`;

beforeAll(() => {
  // The first call of each library compiles its expressions: not what a message costs.
  for (const s of ['会议 王总 明天下午3点', '电话 王总 20分钟 下周五定', '1'.repeat(300), '一'.repeat(300)]) {
    parseCommand(s, NOW, TZ);
    reader.read(s, NOW, TZ);
  }
});

describe('a command costs a command’s worth of work, whatever it holds', () => {
  test('text longer than a command is answered without being read', () => {
    expect(parseCommand('电'.repeat(MAX_COMMAND_CHARS + 1), NOW, TZ)).toEqual({ cmd: 'too_long', length: MAX_COMMAND_CHARS + 1 });
    expect(parseCommand('刚'.repeat(40) + 'x', NOW, TZ)).toEqual({ cmd: 'unknown', text: '刚'.repeat(40) + 'x' });
    expect(guessCommand('王总 电话 '.repeat(100), ['王总'])).toBeUndefined();
  });

  test('a run of time words before the verb is read in linear time (刚刚 is 刚 twice, not a choice)', () => {
    for (const n of [40, 100, MAX_COMMAND_CHARS - 1]) {
      // Best of 3, as below: a pause of the machine's (a collection, another process) is not the input's cost.
      let best = Infinity;
      for (let i = 0; i < 3; i++) {
        const t = performance.now();
        parseCommand('刚'.repeat(n) + 'x', NOW, TZ);
        best = Math.min(best, performance.now() - t);
      }
      expect(best).toBeLessThan(BUDGET_MS);
    }
  });

  test('parseCommand on every crafted input up to the cap', () => {
    const w = slowest(craftedInputs(MAX_COMMAND_CHARS), (s) => parseCommand(s, NOW, TZ));
    expect(show(w)).toBe(show({ ...w, ms: Math.min(w.ms, BUDGET_MS) }));
  });

  test('the best guess on every crafted input up to the cap', () => {
    const w = slowest(craftedInputs(MAX_COMMAND_CHARS), (s) => guessCommand(s, ['王总', '王', '陈经理']));
    expect(show(w)).toBe(show({ ...w, ms: Math.min(w.ms, BUDGET_MS) }));
  });
});

describe('the pieces stay linear past the cap (they also read call notes and customer text)', () => {
  test.each([
    ['normalize', (s: string) => normalize(s)],
    ['normalizeDurations', (s: string) => normalizeDurations(s)],
    ['rephrase', (s: string) => rephrase(normalize(s), () => false)],
  ])('%s on 20,000-character runs', (_, f) => {
    const runs = ['1', '一', '十', '1.', '1:', '刚', '会', '王总', ' 1', '个'].map((a) => a.repeat(Math.floor(20000 / a.length)) + 'x');
    const w = slowest(runs, f);
    expect(show(w)).toBe(show({ ...w, ms: Math.min(w.ms, BUDGET_MS) }));
  });

  test('parseWhen on every crafted clause a reader hands it', () => {
    const w = slowest(craftedInputs(READ_LIMITS.clauseChars), (s) => parseWhen(s, NOW, TZ));
    expect(show(w)).toBe(show({ ...w, ms: Math.min(w.ms, BUDGET_MS) }));
  });
});

describe('a customer message is read up to its cap, in a bounded number of clauses', () => {
  const clause = '我们领导下周五定，预算五十万，也在看纷享销客，麻烦发个方案报个价';

  test('a 200 KB record costs no more than its first clauses', () => {
    const huge = `${clause}，`.repeat(Math.ceil(200_000 / clause.length));
    const w = slowest([huge, '定'.repeat(200_000), `下周五定${'1'.repeat(200_000)}`, '一'.repeat(200_000)], (s) => reader.read(s, NOW, TZ));
    expect(show(w)).toBe(show({ ...w, ms: Math.min(w.ms, 100) }));
  });

  test('every crafted message up to the cap', () => {
    const w = slowest(craftedInputs(READ_LIMITS.chars), (s) => reader.read(s, NOW, TZ));
    expect(show(w)).toBe(show({ ...w, ms: Math.min(w.ms, 100) }));
  });

  test('a cue is the words around it, never the whole clause', () => {
    const long = `${'我们这边情况比较复杂'.repeat(15)}麻烦报个价${'后面还有很多话'.repeat(15)}`;
    const signals = reader.read(long, NOW, TZ);
    expect(signals.map((s) => s.signal)).toContain('price');
    for (const s of signals) expect(s.cue.length).toBeLessThanOrEqual(READ_LIMITS.cue);
    expect(signals.find((s) => s.signal === 'price')?.cue).toContain('报个价');
  });
});
