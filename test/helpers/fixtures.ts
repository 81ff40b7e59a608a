import { readFileSync } from 'node:fs';
import path from 'node:path';

export function fixture(rel: string): string {
  return readFileSync(path.join(__dirname, '..', 'fixtures', rel), 'utf8');
}
