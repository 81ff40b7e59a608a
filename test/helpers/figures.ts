import { appendFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';

/**
 * A figure a test measured (memory under attack, callbacks acknowledged), kept in test-artifacts/figures.txt for the
 * reader instead of printed: a green run prints nothing that looks like an error.
 */
export function recordFigure(line: string): void {
  const dir = path.join(__dirname, '..', '..', 'test-artifacts');
  mkdirSync(dir, { recursive: true });
  appendFileSync(path.join(dir, 'figures.txt'), `${new Date().toISOString()} ${line}\n`);
}
