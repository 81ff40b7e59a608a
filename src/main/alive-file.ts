import { writeFileSync } from 'node:fs';

/**
 * A file the process rewrites every `everyMs` while its event loop turns: a container healthcheck reads its age
 * (docker-compose.yml's worker), so a worker that is stuck — not only one that has exited — is reported unhealthy.
 */
export function keepAliveFile(path: string, everyMs = 10_000): { close(): Promise<void> } {
  const touch = () => writeFileSync(path, String(Date.now()));
  touch();
  const timer = setInterval(touch, everyMs);
  timer.unref();
  return { close: async () => clearInterval(timer) };
}
