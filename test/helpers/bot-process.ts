import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

/**
 * `npm start` (src/main/all-main.ts) in a process of its own, with `env` as its whole environment: the supervisor and
 * its web and worker processes, their JSON log lines collected as they come (every line is one record).
 */
export function spawnBot(env: NodeJS.ProcessEnv): { proc: ChildProcess; lines: Record<string, unknown>[]; logged(reason: string): Record<string, unknown>[] } {
  const proc = spawn(process.execPath, ['--import', 'tsx', path.join(__dirname, '../../src/main/all-main.ts')], { env, stdio: ['ignore', 'pipe', 'inherit'] });
  const lines: Record<string, unknown>[] = [];
  let buffered = '';
  proc.stdout?.on('data', (chunk: Buffer) => {
    buffered += chunk.toString('utf8');
    const parts = buffered.split('\n');
    buffered = parts.pop() ?? '';
    for (const p of parts) lines.push(JSON.parse(p) as Record<string, unknown>);
  });
  return { proc, lines, logged: (reason) => lines.filter((l) => l.reason === reason) };
}
