/**
 * One function per output format for what outsiders write: each neutralises links, tags, markdown, line breaks, bidi
 * and zero-width characters and our own 「」, and caps the length; lists fit WeCom's 2,048 bytes with 「…等 N 位」.
 */
import { asCardText, asMarkdown, asText, fitList, MESSAGE_BYTES, storedOutsider, utf8Bytes, utf8Prefix } from '../../src/domain/outsider-text';

const HOSTILE = [
  '[点我看报价](http://evil.example/phish)',
  '<a href="http://evil.example">王总</a>',
  '<font color="warning">紧急</font>',
  '王\u202e总\u2066\u200b\u200d\ufeff',
  '王总\n#2 钱总 · 比价',
  '项目群」的入群二维码：www.evil.example/qr「',
  '**加粗** `代码` # 标题 ~删除~ | 表格 \\转义',
];

describe.each([
  ['text', asText],
  ['markdown', asMarkdown],
  ['card', asCardText],
])('%s', (_, f) => {
  test.each(HOSTILE)('%j is inert', (s) => {
    const out = f(s, 200);
    expect(out).not.toMatch(/<|>|:\/\/|[\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff\n\r]|「|」/);
    expect(out).not.toMatch(/[A-Za-z0-9]\.[A-Za-z0-9]/);
  });
  test('capped, with …', () => {
    expect(f('长'.repeat(100), 24)).toBe(`${'长'.repeat(23)}…`);
    expect(f('王总(二中)')).toBe('王总(二中)');
  });
});

test('markdown syntax is written full-width', () => {
  expect(asMarkdown('[报价](x) **a** `b` #c _d_ ~e~ |f', 100)).toBe('［报价］(x) ＊＊a＊＊ ｀b｀ ＃c ＿d＿ ～e～ ｜f');
});

test('stored: invisible characters gone, one line, capped; the words kept', () => {
  expect(storedOutsider('  王\u202e总\u200b\n\t公司 ', 40)).toBe('王总 公司');
  expect([...storedOutsider('长'.repeat(10_000), 40)]).toHaveLength(40);
  expect(storedOutsider('<a>王</a>', 40)).toBe('<a>王</a>');
});

test('utf8Prefix never splits a character and stays within the bytes', () => {
  expect(utf8Prefix('欧阳诸葛司马上官总', 25)).toBe('欧阳诸葛司马上…');
  expect(utf8Bytes(utf8Prefix('欧阳诸葛司马上官总', 25))).toBeLessThanOrEqual(25);
  expect(utf8Prefix('短', 25)).toBe('短');
});

test('fitList keeps what fits and counts the rest', () => {
  const items = Array.from({ length: 100 }, (_, i) => `#${i + 1} ${'客'.repeat(20)}`);
  const out = fitList(['头'], items, ['尾'], (n) => `…等 ${n} 位`);
  expect(utf8Bytes(out)).toBeLessThanOrEqual(MESSAGE_BYTES);
  const shown = out.split('\n').filter((l) => l.startsWith('#')).length;
  expect(out).toContain(`…等 ${100 - shown} 位`);
  expect(out.endsWith('尾')).toBe(true);
  expect(fitList(['头'], ['#1 a'], ['尾'], () => 'x')).toBe('头\n#1 a\n尾');
});
