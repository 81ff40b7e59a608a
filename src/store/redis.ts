import Redis, { Cluster, type ClusterOptions, type RedisOptions } from 'ioredis';
import { clusterReady, pipeline } from './pipeline';

/** A connection to a single Redis or to a Redis Cluster: every store works on either (docs/scaling.md). */
export type RedisClient = Redis | Cluster;

/**
 * Where Redis is: a URL (`redis://[user:password@]host:port[/db]`, `rediss://` for TLS) or, for a cluster, a URL
 * listing several seed nodes (`redis://host1:6379,host2:6379,host3:6379`) or one seed with `cluster: true`.
 */
export interface RedisTarget {
  url: string;
  cluster?: boolean;
}

/**
 * Connection roles.
 * - `ingress`: the webhook's connection. Fails fast when Redis is away (no offline queue, short command timeout) so a
 *   callback is answered 503 within WeCom's 5-second window instead of hanging; reconnects on its own.
 * - `worker`: BullMQ workers and schedulers: blocking commands, retries forever (BullMQ requires
 *   maxRetriesPerRequest: null).
 * - `general`: everything else (stores, token cache): bounded retries.
 */
export type RedisRole = 'ingress' | 'worker' | 'general';

const byRole: Record<RedisRole, RedisOptions> = {
  ingress: { enableOfflineQueue: false, maxRetriesPerRequest: 0, commandTimeout: 2000 },
  worker: { maxRetriesPerRequest: null, enableReadyCheck: true },
  general: { maxRetriesPerRequest: 2, commandTimeout: 5000 },
};

/** The seed nodes and node options of a cluster URL (`redis://user:pass@h1:p1,h2:p2`). */
export function clusterSeeds(url: string): { nodes: { host: string; port: number }[]; options: RedisOptions } {
  const m = /^(rediss?):\/\/(?:([^@/]*)@)?([^/?#]+)/.exec(url);
  if (!m) throw new Error('a cluster REDIS_URL must look like redis://host1:6379,host2:6379');
  const [, scheme, auth, hosts] = m as unknown as [string, string, string | undefined, string];
  const nodes = hosts.split(',').map((h) => {
    const [host, port] = h.trim().split(':');
    return { host: host || '127.0.0.1', port: Number(port) || 6379 };
  });
  const options: RedisOptions = {};
  if (auth) {
    const [user, password] = auth.includes(':') ? auth.split(':') : [undefined, auth];
    if (user) options.username = decodeURIComponent(user);
    if (password) options.password = decodeURIComponent(password);
  }
  if (scheme === 'rediss') options.tls = {};
  return { nodes, options };
}

export function isClusterTarget(target: string | RedisTarget): boolean {
  const url = typeof target === 'string' ? target : target.url;
  return (typeof target !== 'string' && target.cluster === true) || url.includes(',');
}

export function createRedis(target: string | RedisTarget, role: RedisRole, extra: RedisOptions = {}): RedisClient {
  const url = typeof target === 'string' ? target : target.url;
  const retryStrategy = (times: number) => Math.min(100 * times, 2000);
  const base: RedisOptions = { retryStrategy, lazyConnect: false, connectionName: `wecom-followup:${role}` };
  let client: RedisClient;
  if (isClusterTarget(target)) {
    const { nodes, options } = clusterSeeds(url);
    const { enableOfflineQueue, ...nodeRole } = byRole[role];
    const clusterOptions: ClusterOptions = {
      clusterRetryStrategy: retryStrategy,
      // Keep the ingress fail-fast: no queueing while the cluster is unreachable.
      ...(enableOfflineQueue === false ? { enableOfflineQueue: false } : {}),
      enableReadyCheck: true,
      redisOptions: { ...base, ...nodeRole, ...options, ...extra },
    };
    client = new Cluster(nodes, clusterOptions);
  } else {
    client = new Redis(url, { ...base, ...byRole[role], ...extra });
  }
  // Errors are reported by health checks and the failing calls; an unhandled 'error' event would crash the process.
  client.on('error', () => undefined);
  return client;
}

/** The nodes to SCAN: every master of a cluster, or the one server. */
export async function scanNodes(redis: RedisClient): Promise<Redis[]> {
  if (!(redis instanceof Cluster)) return [redis];
  await clusterReady(redis);
  return redis.nodes('master');
}

/** Every key matching a glob pattern, in batches, from every node of a cluster (SCAN: never blocks Redis). */
export async function* scanKeys(redis: RedisClient, pattern: string, count = 1000): AsyncGenerator<string[]> {
  for (const node of await scanNodes(redis)) {
    let cursor = '0';
    do {
      const [next, keys] = await node.scan(cursor, 'MATCH', pattern, 'COUNT', count);
      cursor = next;
      if (keys.length > 0) yield keys;
    } while (cursor !== '0');
  }
}

/** Deletes every key under a prefix (tests and the demo clean up after themselves), on every node of a cluster. */
export async function deleteByPrefix(redis: RedisClient, prefix: string): Promise<number> {
  let deleted = 0;
  for await (const keys of scanKeys(redis, `${prefix}*`)) {
    // One key per UNLINK: on a cluster a multi-key UNLINK must stay in one slot.
    const p = pipeline(redis);
    for (const k of keys) p.unlink(k);
    deleted += ((await p.exec()) ?? []).reduce((n, [, r]) => n + (Number(r) || 0), 0);
  }
  return deleted;
}

/** Resolves when the client is ready, or after `timeoutMs` (false): callers start anyway and report via /readyz. */
export async function waitReady(client: RedisClient, timeoutMs = 3000): Promise<boolean> {
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
