import { randomBytes } from 'node:crypto';
import { readEnvOptions, type Config } from '../../src/config/env';
import { createLogger, type Logger } from '../../src/log';
import { createRedis, deleteByPrefix } from '../../src/store/redis';
import { PrivateRedis } from '../../tools/private-redis';

/** Official test vector A (docs/wecom-protocol.md §6). */
export const VECTOR_A = {
  corpId: 'wx5823bf96d3bd56c7',
  token: 'QDG6eK',
  aesKey: 'jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C',
};
/** A second key pair for the robot, so tests catch a receiver that mixes them up. */
export const BOT_SECRETS = { token: 'BotTok3n', aesKey: 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG' };

export const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** A key prefix no other test file shares. */
export function uniquePrefix(name: string): string {
  return `test-${name}-${randomBytes(4).toString('hex')}`;
}

/** The environment of a test deployment on its own key prefix (what a child process started by a test gets). */
export function testEnv(prefix: string, env: Record<string, string> = {}): Record<string, string> {
  return {
    PORT: '0',
    REDIS_URL,
    REDIS_PREFIX: prefix,
    WECOM_CORP_ID: VECTOR_A.corpId,
    WECOM_AGENT_ID: '218',
    WECOM_SECRET: 'test-secret',
    WECOM_TOKEN: VECTOR_A.token,
    WECOM_AES_KEY: VECTOR_A.aesKey,
    WECOM_BOT_TOKEN: BOT_SECRETS.token,
    WECOM_BOT_AES_KEY: BOT_SECRETS.aesKey,
    WECOM_API_BASE: 'http://127.0.0.1:9',
    ADMIN_TOKEN: 'test-admin-token-0123456789',
    LOG_LEVEL: 'silent',
    ...env,
  };
}

export function testConfig(prefix: string, env: Record<string, string> = {}): Config {
  return readEnvOptions(testEnv(prefix, env));
}

/** A logger whose lines are kept for assertions. */
export function captureLogger(level = 'debug'): { log: Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const log = createLogger(level, {
    write(chunk: string) {
      lines.push(JSON.parse(chunk) as Record<string, unknown>);
    },
  });
  return { log, lines };
}

export async function cleanupRedis(prefix: string, url = REDIS_URL): Promise<void> {
  const r = createRedis(url, 'general', { maxRetriesPerRequest: 1 });
  try {
    await deleteByPrefix(r, prefix);
  } finally {
    r.disconnect();
  }
}

export async function waitFor<T>(fn: () => T | Promise<T>, { timeoutMs = 10_000, intervalMs = 25 } = {}): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`waitFor timed out${last ? `: ${(last as Error).message}` : ''}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/** A TCP port nobody listens on right now (for a server whose public URL must be known before it starts). */
export const freePort = () => PrivateRedis.freePort();
