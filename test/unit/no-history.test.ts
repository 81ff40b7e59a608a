/**
 * The project speaks of the product as it is now: no tracked file names a development round, a session or one of the
 * project's issue numbers — README, docs, code comments, test names, scripts. History lives in `git log`. (A citation
 * of another project's issue, with its github.com address, is a reference, not our history.)
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';

const root = path.join(__dirname, '..', '..');
const HISTORY = [
  /\b[Ss]essions? \d+\b/,
  /\b[Ii]ssues? #?\d+/,
  /\(#\d{2,}\b/,
  /#\d{2,}'s\b/,
  /\b(?:development|attack|hostile|first|second|third|last|earlier|previous|this|next) round\b/i,
  /\bround (?:one|two|three|four|five|\d+)\b/i,
  /第[一二三四五六七八九十\d]+轮/,
];

test('no tracked text names a development round, a session or an issue number', () => {
  const files = execFileSync('git', ['ls-files'], { cwd: root, encoding: 'utf8' })
    .split('\n')
    // This file names the patterns it looks for.
    .filter((f) => f && !/\.(png|jpe?g|gif|ico|woff2?)$/.test(f) && f !== 'package-lock.json' && f !== 'test/unit/no-history.test.ts');
  const hits: string[] = [];
  for (const f of files) {
    let text: string;
    try {
      text = readFileSync(path.join(root, f), 'utf8');
    } catch {
      continue; // listed but not in this checkout
    }
    text.split('\n').forEach((line, i) => {
      if (line.includes('github.com')) return;
      if (HISTORY.some((re) => re.test(line))) hits.push(`${f}:${i + 1}: ${line.trim().slice(0, 120)}`);
    });
  }
  expect(hits).toEqual([]);
});
