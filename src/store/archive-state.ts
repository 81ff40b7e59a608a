import type { ArchiveLease, ArchivePullState, ArchiveStatus, ArchiveWakeup, ParkedArchiveItem } from '../app/ports';
import { defineScript, pipeline } from './pipeline';
import type { RedisClient } from './redis';

/**
 * Takes the lease when nobody holds it, with a fencing token one higher than any before. KEYS = lease, fence;
 * ARGV = owner, ttl ms. Answers the token, or 0 when the lease is held.
 */
const ACQUIRE = `
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
local token = redis.call('INCR', KEYS[2])
redis.call('SET', KEYS[1], token .. ' ' .. ARGV[1], 'PX', ARGV[2])
return token`;

/** Extends (ARGV[3] = 'renew') or drops ('release') the lease if it is still ours. KEYS = lease; ARGV = value, ttl ms, op. */
const KEEP = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
if ARGV[3] == 'release' then redis.call('DEL', KEYS[1]) else redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 1`;

/**
 * The fenced checkpoint write: only the lease's current holder moves the checkpoint, and only forward; the batch's
 * counts and times go with it. KEYS = lease, checkpoint, status; ARGV = lease value, seq, then field/increment pairs
 * count, then field/value pairs. Answers 1, or 0 (nothing written) when the lease is someone else's.
 */
const ADVANCE = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
local cur = tonumber(redis.call('GET', KEYS[2]) or '0')
if tonumber(ARGV[2]) > cur then redis.call('SET', KEYS[2], ARGV[2]) end
local n = tonumber(ARGV[3])
for i = 4, 3 + 2 * n, 2 do redis.call('HINCRBY', KEYS[3], ARGV[i], ARGV[i + 1]) end
for i = 4 + 2 * n, #ARGV, 2 do redis.call('HSET', KEYS[3], ARGV[i], ARGV[i + 1]) end
redis.call('HDEL', KEYS[3], 'stopped', 'lastError')
return 1`;

interface ArchiveCommands {
  archiveAcquire(lease: string, fence: string, owner: string, ttlMs: number): Promise<number>;
  archiveKeep(lease: string, value: string, ttlMs: number, op: 'renew' | 'release'): Promise<number>;
  archiveAdvance(lease: string, checkpoint: string, status: string, ...argv: (string | number)[]): Promise<number>;
}

/**
 * The puller's state in Redis (ArchivePullState), every key under one hash tag so each script runs on one slot of a
 * Redis Cluster: `{archive}:lease` (token and owner, with a TTL), `{archive}:fence` (the last token given),
 * `{archive}:checkpoint` (the max seq applied), `{archive}:status` (counts and times), `{archive}:parked` (msgid →
 * record) ordered by seq in `{archive}:parked-seq`, `{archive}:retry` (a replay asked for).
 */
export class RedisArchiveState implements ArchivePullState, ArchiveWakeup {
  private readonly redis: RedisClient & ArchiveCommands;

  constructor(
    redis: RedisClient,
    private readonly prefix: string,
  ) {
    defineScript(redis, 'archiveAcquire', ACQUIRE, 2);
    defineScript(redis, 'archiveKeep', KEEP, 1);
    defineScript(redis, 'archiveAdvance', ADVANCE, 3);
    this.redis = redis as RedisClient & ArchiveCommands;
  }

  private key(name: string): string {
    return `${this.prefix}:{archive}:${name}`;
  }

  /** The channel a wake-up is published on (the puller subscribes with a connection of its own). */
  get wakeChannel(): string {
    return `${this.prefix}:archive:wake`;
  }

  async acquire(owner: string, ttlMs: number): Promise<ArchiveLease | undefined> {
    const token = await this.redis.archiveAcquire(this.key('lease'), this.key('fence'), owner, ttlMs);
    return token > 0 ? { token, owner } : undefined;
  }

  async renew(lease: ArchiveLease, ttlMs: number): Promise<boolean> {
    return (await this.redis.archiveKeep(this.key('lease'), `${lease.token} ${lease.owner}`, ttlMs, 'renew')) === 1;
  }

  async release(lease: ArchiveLease): Promise<void> {
    await this.redis.archiveKeep(this.key('lease'), `${lease.token} ${lease.owner}`, 0, 'release');
  }

  async checkpoint(): Promise<number> {
    return Number((await this.redis.get(this.key('checkpoint'))) ?? 0);
  }

  async advance(
    lease: ArchiveLease,
    seq: number,
    b: { pulled: number; applied: number; skipped: number; parked: number; at: number; lagSeconds: number; lagSeq: number },
  ): Promise<boolean> {
    const counts = { pulled: b.pulled, applied: b.applied, skipped: b.skipped, parked: b.parked };
    const values = { lastPullAt: b.at, lastSuccessAt: b.at, lagSeconds: b.lagSeconds, lagSeq: b.lagSeq };
    const res = await this.redis.archiveAdvance(
      this.key('lease'),
      this.key('checkpoint'),
      this.key('status'),
      `${lease.token} ${lease.owner}`,
      seq,
      Object.keys(counts).length,
      ...Object.entries(counts).flat(),
      ...Object.entries(values).flat(),
    );
    return res === 1;
  }

  async park(items: ParkedArchiveItem[]): Promise<void> {
    if (items.length === 0) return;
    const p = pipeline(this.redis);
    p.hset(this.key('parked'), ...items.flatMap((i) => [i.item.msgid, JSON.stringify(i)]));
    p.zadd(this.key('parked-seq'), ...items.flatMap((i) => [i.item.seq, i.item.msgid]));
    for (const [err] of (await p.exec()) ?? []) if (err) throw err;
  }

  async parked(offset: number, limit: number): Promise<{ total: number; items: ParkedArchiveItem[] }> {
    const [total, ids] = await Promise.all([
      this.redis.zcard(this.key('parked-seq')),
      this.redis.zrange(this.key('parked-seq'), String(offset), String(offset + limit - 1)),
    ]);
    const raws = ids.length ? await this.redis.hmget(this.key('parked'), ...ids) : [];
    return { total, items: raws.filter((r): r is string => !!r).map((r) => JSON.parse(r) as ParkedArchiveItem) };
  }

  async unpark(msgids: string[]): Promise<void> {
    if (msgids.length === 0) return;
    const p = pipeline(this.redis);
    p.hdel(this.key('parked'), ...msgids);
    p.zrem(this.key('parked-seq'), ...msgids);
    p.hincrby(this.key('status'), 'replayed', msgids.length);
    for (const [err] of (await p.exec()) ?? []) if (err) throw err;
  }

  async requestRetry(): Promise<void> {
    await this.redis.set(this.key('retry'), '1');
    await this.wake();
  }

  async takeRetryRequest(): Promise<boolean> {
    return (await this.redis.del(this.key('retry'))) === 1;
  }

  async noteError(code: string, message: string, at: number, stopped = false): Promise<void> {
    const p = pipeline(this.redis);
    p.hincrby(this.key('status'), `error:${code}`, 1);
    p.hset(this.key('status'), 'lastPullAt', at, 'lastError', `${code} ${message}`.slice(0, 300));
    if (stopped) p.hset(this.key('status'), 'stopped', code);
    await p.exec();
  }

  async noteGap(at: number): Promise<void> {
    await this.redis.hset(this.key('status'), 'gapAt', at);
  }

  async noteCaughtUp(at: number): Promise<void> {
    const p = pipeline(this.redis);
    p.hset(this.key('status'), 'lastPullAt', at, 'lastSuccessAt', at, 'lagSeconds', 0, 'lagSeq', 0);
    p.hdel(this.key('status'), 'stopped', 'lastError');
    for (const [err] of (await p.exec()) ?? []) if (err) throw err;
  }

  async status(): Promise<ArchiveStatus> {
    const [raw, checkpoint, parked, lease] = await Promise.all([
      this.redis.hgetall(this.key('status')),
      this.checkpoint(),
      this.redis.zcard(this.key('parked-seq')),
      this.redis.get(this.key('lease')),
    ]);
    const num = (k: string) => (raw[k] === undefined ? undefined : Number(raw[k]));
    const errors = Object.fromEntries(
      Object.entries(raw)
        .filter(([k]) => k.startsWith('error:'))
        .map(([k, v]) => [k.slice(6), Number(v)]),
    );
    return {
      checkpoint,
      pulled: num('pulled') ?? 0,
      applied: num('applied') ?? 0,
      skipped: num('skipped') ?? 0,
      parked,
      replayed: num('replayed') ?? 0,
      lastPullAt: num('lastPullAt'),
      lastSuccessAt: num('lastSuccessAt'),
      lagSeconds: num('lagSeconds') ?? 0,
      lagSeq: num('lagSeq') ?? 0,
      gapAt: num('gapAt'),
      stopped: raw.stopped,
      lastError: raw.lastError,
      errors,
      holder: lease ? lease.slice(lease.indexOf(' ') + 1) : undefined,
    };
  }

  async wake(): Promise<void> {
    await this.redis.publish(this.wakeChannel, '1');
  }
}
