/**
 * The user's guide (docs/guide.zh-CN.md) says what reps can type: every command and sentence in its example blocks is
 * understood by the bot as written — parsed, or asked about in one question — and every time phrase it lists is read
 * as a date.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseWhen } from '../../src/domain/chinese-dates';
import { customerInside, guessCommand, parseCommand } from '../../src/domain/commands';

const guide = readFileSync(path.join(__dirname, '..', '..', 'docs', 'guide.zh-CN.md'), 'utf8');
const NOW = Date.parse('2026-12-02T01:00:00Z');
const TZ = 'Asia/Shanghai';
const CUSTOMERS = ['王总', '陈经理', '刘总', '张总'];

const examples = [...guide.matchAll(/```text\n([\s\S]*?)```/g)].flatMap((m) => (m[1] as string).split('\n').filter((l) => l.trim()));
const times = (/时间可以这样说：(.*)/.exec(guide)?.[1] ?? '').match(/`[^`]+`/g)?.map((t) => t.slice(1, -1)) ?? [];

test('the guide has its examples', () => {
  expect(examples.length).toBeGreaterThanOrEqual(25);
  expect(times.length).toBeGreaterThanOrEqual(8);
});

test.each(examples)('「%s」 is understood', (line) => {
  const p = parseCommand(line, NOW, TZ);
  if (p.cmd !== 'unknown') {
    if ('target' in p && !['lead', 'merge'].includes(p.cmd)) {
      // The customer is one of the rep's, as written or named inside what was written.
      const known =
        CUSTOMERS.includes(p.target) ||
        customerInside(
          p.target,
          CUSTOMERS.map((n) => [n]),
        ) !== undefined;
      expect([line, known]).toEqual([line, true]);
    }
    if (p.cmd === 'call' && /定/.test(line)) expect(p.decision).toBeDefined();
    if (p.cmd === 'meeting') expect(p.when).toBeDefined();
    return;
  }
  expect([line, guessCommand(line, CUSTOMERS)]).toEqual([line, expect.objectContaining({ target: expect.any(String) })]);
});

test.each(times)('the time 「%s」 is read as a date', (t) => {
  expect(parseWhen(t, NOW, TZ)).toBeDefined();
});
