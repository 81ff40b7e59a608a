import Redis, { type RedisOptions } from 'ioredis';

/**
 * Connection roles.
 * - `ingress`: the webhook's connection. Fails fast when Redis is away (no offline queue, short command timeout) so a
 *   callback is answered 503 within WeCom's 5-second window instead of hanging; reconnects on its own.
 * - `worker`: BullMQ workers and schedulers: blocking commands, retries forever (BullMQ requires
 *   maxRetriesPerRequest: null).
 * - `general`: everything else (stores, token cache): bounded retries.
 */
export type RedisRole = 'ingress' | 'worker' | 'general';

export function createRedis(url: string, role: RedisRole, extra: RedisOptions = {}): Redis {
  const retryStrategy = (times: number) => Math.min(100 * times, 2000);
  const base: RedisOptions = { retryStrategy, lazyConnect: false, connectionName: `wecom-followup:${role}` };
  const byRole: Record<RedisRole, RedisOptions> = {
    ingress: { enableOfflineQueue: false, maxRetriesPerRequest: 0, commandTimeout: 2000 },
    worker: { maxRetriesPerRequest: null, enableReadyCheck: true },
    general: { maxRetriesPerRequest: 2, commandTimeout: 5000 },
  };
  const client = new Redis(url, { ...base, ...byRole[role], ...extra });
  // Errors are reported by health checks and the failing calls; an unhandled 'error' event would crash the process.
  client.on('error', () => undefined);
  return client;
}

/** Deletes every key under a prefix (tests and the demo clean up after themselves). */
export async function deleteByPrefix(redis: Redis, prefix: string): Promise<number> {
  let cursor = '0';
  let deleted = 0;
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    cursor = next;
    if (keys.length > 0) deleted += await redis.unlink(...keys);
  } while (cursor !== '0');
  return deleted;
}

/** Resolves when the client is ready, or after `timeoutMs` (false): callers start anyway and report via /readyz. */
export async function waitReady(client: Redis, timeoutMs = 3000): Promise<boolean> {
  if (client.status === 'ready') return true;
  return new Promise<boolean>((resolve) => {
    const timer = setTimeout(() => {
      client.off('ready', onReady);
      resolve(false);
    }, timeoutMs);
    const onReady = () => {
      clearTimeout(timer);
      resolve(true);
    };
    client.once('ready', onReady);
  });
}
