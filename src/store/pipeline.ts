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
 * Up to this many commands are sent as plain commands in the same tick instead of as an ioredis pipeline: they still
 * go out back to back on one connection and come back in order, but an ioredis pipeline costs a fixed ~20 µs of CPU
 * (it copies every defined script onto itself) — more than a few commands do (bench:ledger; measured 35 vs 15 µs
 * for one or two commands, even at four).
 */
const DIRECT_MAX = 8;

/**
 * A pipeline that works on a single Redis and on a Redis Cluster alike. The commands are recorded; on exec, a few are
 * sent as plain commands (DIRECT_MAX), more as ioredis pipelines. On a cluster, where one pipeline may only address
 * one node, they are split by the node that serves each command's slot, sent as one pipeline per node (in parallel)
 * and their replies put back in the order the commands were given — so callers write one pipeline whatever the keys,
 * and pay one round trip per node.
 */
export function pipeline(redis: RedisClient): ChainableCommander {
  const calls: Call[] = [];
  const recorder: ChainableCommander = new Proxy({} as ChainableCommander, {
    get(_, prop) {
      if (prop === 'exec') return () => (redis instanceof Cluster ? execByNode(redis, calls) : send(redis, calls));
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

type Commands = Record<string, (...a: unknown[]) => Promise<unknown>>;

/** Sends recorded commands on one client (a Redis, or a cluster for commands of one node), replies in order. */
async function send(redis: RedisClient, calls: Call[]): Promise<Reply[]> {
  if (calls.length === 0) return [];
  if (calls.length <= DIRECT_MAX) {
    const client = redis as unknown as Commands;
    // Corked while they are written, so the commands leave in one write like a pipeline's.
    const stream = redis instanceof Cluster || redis.status !== 'ready' ? undefined : redis.stream;
    stream?.cork();
    try {
      return Promise.all(
        calls.map(([name, args]) => {
          const command = client[name];
          if (!command) return [new Error(`unknown command ${name}`), null] as Reply;
          return command.apply(redis, args).then(
            (result): Reply => [null, result],
            (err: Error): Reply => [err, null],
          );
        }),
      );
    } finally {
      stream?.uncork();
    }
  }
  const p = redis.pipeline() as unknown as Record<string, (...a: unknown[]) => unknown> & ChainableCommander;
  for (const [name, args] of calls) p[name]?.(...args);
  return ((await p.exec()) ?? []) as Reply[];
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
      const res = await send(
        redis,
        indexes.map((i) => calls[i] as Call),
      );
      indexes.forEach((i, j) => (replies[i] = res[j] ?? [new Error('no reply'), null]));
    }),
  );
  return replies;
}
