import { getKeyIndexes } from '@ioredis/commands';
import calculateSlot from 'cluster-key-slot';
import { Cluster, type ChainableCommander } from 'ioredis';
import type { RedisClient } from './redis';

/** Our Lua scripts by name → how many KEYS each takes (undefined: the first argument says). See defineScript. */
const scriptKeys = new Map<string, number | undefined>();

/**
 * Defines a Lua script as a command (ioredis `defineCommand`), once per connection, and records how many keys it takes
 * so a cluster pipeline can route it (pipeline below). Every key a script touches must be passed in KEYS and share
 * one hash tag: under Redis Cluster a script runs on one slot.
 */
export function defineScript<T>(redis: RedisClient, name: string, lua: string, numberOfKeys?: number): RedisClient & T {
  scriptKeys.set(name, numberOfKeys);
  if (!(name in redis)) redis.defineCommand(name, numberOfKeys === undefined ? { lua } : { numberOfKeys, lua });
  return redis as RedisClient & T;
}

type Call = [name: string, args: unknown[]];
type Reply = [error: Error | null, result: unknown];

function firstKey([name, args]: Call): string | undefined {
  if (scriptKeys.has(name)) {
    const n = scriptKeys.get(name) ?? Number(args[0]);
    const keys = scriptKeys.get(name) === undefined ? args.slice(1, 1 + n) : args.slice(0, n);
    return keys[0] === undefined ? undefined : String(keys[0]);
  }
  const flat = args.flat() as (string | number | Buffer)[];
  const i = getKeyIndexes(name, flat)[0];
  return i === undefined ? undefined : String(flat[i]);
}

/**
 * A pipeline that works on a single Redis and on a Redis Cluster alike. On a single Redis it is ioredis' pipeline. On
 * a cluster, where one pipeline may only address one node, the commands are recorded, split by the node that serves
 * each command's slot, sent as one pipeline per node (in parallel) and their replies put back in the order the
 * commands were given — so callers write one pipeline whatever the keys, and pay one round trip per node.
 */
export function pipeline(redis: RedisClient): ChainableCommander {
  if (!(redis instanceof Cluster)) return redis.pipeline();
  const calls: Call[] = [];
  const recorder: ChainableCommander = new Proxy({} as ChainableCommander, {
    get(_, prop) {
      if (prop === 'exec') return () => execByNode(redis, calls);
      if (prop === 'length') return calls.length;
      if (typeof prop !== 'string' || prop === 'then') return undefined;
      return (...args: unknown[]) => {
        calls.push([prop, args]);
        return recorder;
      };
    },
  });
  return recorder;
}

/**
 * Resolves once a cluster client knows the slot map (right after it is created it knows no node); rejects when the
 * cluster stays unreachable for `timeoutMs`, so a caller fails as a single-Redis command would, instead of waiting.
 */
export async function clusterReady(redis: Cluster, timeoutMs = 10_000): Promise<void> {
  if (redis.status === 'ready') return;
  await new Promise<void>((resolve, reject) => {
    const done = (err?: Error) => {
      clearTimeout(timer);
      redis.off('ready', onReady);
      redis.off('end', onEnd);
      if (err) reject(err);
      else resolve();
    };
    const onReady = () => done();
    const onEnd = () => done(new Error('Connection is closed.'));
    const timer = setTimeout(() => done(new Error(`Redis Cluster not ready within ${timeoutMs} ms`)), timeoutMs);
    redis.once('ready', onReady);
    redis.once('end', onEnd);
  });
}

async function execByNode(redis: Cluster, calls: Call[]): Promise<Reply[]> {
  if (calls.length === 0) return [];
  await clusterReady(redis);
  const groups = new Map<string, number[]>();
  calls.forEach((call, i) => {
    const key = firstKey(call);
    const node = key === undefined ? '*' : (redis.slots[calculateSlot(key)]?.[0] ?? '*');
    const group = groups.get(node) ?? [];
    group.push(i);
    groups.set(node, group);
  });
  const replies: Reply[] = new Array(calls.length);
  await Promise.all(
    [...groups.values()].map(async (indexes) => {
      const p = redis.pipeline() as unknown as Record<string, (...a: unknown[]) => unknown> & ChainableCommander;
      for (const i of indexes) {
        const [name, args] = calls[i] as Call;
        p[name]?.(...args);
      }
      const res = ((await p.exec()) ?? []) as Reply[];
      indexes.forEach((i, j) => (replies[i] = res[j] ?? [new Error('no reply'), null]));
    }),
  );
  return replies;
}
