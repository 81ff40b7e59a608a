import type { ArchiveHold } from '../app/ports';
import { decodeArchivePlaintext, encodeArchiveRecord } from '../wecom/archive-record';
import type { ArchiveRecord } from '../wecom/events';
import { defineScript, pipeline } from './pipeline';
import type { RedisClient } from './redis';

/** At most this many messages are held per customer or group (the newest), for at most this long. */
export const HOLD_MAX_PER_KEY = 500;
export const HOLD_DAYS = 14;

/**
 * Drops the first ARGV[1] messages of a list — those applied — and, once it is empty, its key from the set: a message
 * held meanwhile stays. KEYS = list, set; ARGV = count, key.
 */
const RELEASE = `
redis.call('LTRIM', KEYS[1], tonumber(ARGV[1]), -1)
if redis.call('LLEN', KEYS[1]) == 0 then redis.call('SREM', KEYS[2], ARGV[2]) end
return 1`;

interface HoldCommands {
  archiveHoldRelease(list: string, set: string, count: number, key: string): Promise<number>;
}

/**
 * Held archive messages in Redis (ArchiveHold): `<p>:{archive-held}:<key>` lists of records in their stored form
 * (encodeArchiveRecord, text capped), each trimmed to HOLD_MAX_PER_KEY and expiring HOLD_DAYS after its last message,
 * and the set of keys `<p>:{archive-held}:keys` — one slot, so a release is one script.
 */
export class RedisArchiveHold implements ArchiveHold {
  private readonly redis: RedisClient & HoldCommands;
  /** How many messages of each key the last records() read: what release() drops. */
  private readonly read = new Map<string, number>();

  constructor(
    redis: RedisClient,
    private readonly prefix: string,
  ) {
    defineScript(redis, 'archiveHoldRelease', RELEASE, 2);
    this.redis = redis as RedisClient & HoldCommands;
  }

  private list(key: string): string {
    return `${this.prefix}:{archive-held}:m:${key}`;
  }

  private get set(): string {
    return `${this.prefix}:{archive-held}:keys`;
  }

  async hold(items: { key: string; record: ArchiveRecord }[]): Promise<void> {
    if (items.length === 0) return;
    const byKey = new Map<string, string[]>();
    for (const { key, record } of items) byKey.set(key, [...(byKey.get(key) ?? []), encodeArchiveRecord(record)]);
    const p = pipeline(this.redis);
    for (const [key, encoded] of byKey) {
      p.rpush(this.list(key), ...encoded);
      p.ltrim(this.list(key), -HOLD_MAX_PER_KEY, -1);
      p.expire(this.list(key), HOLD_DAYS * 86_400);
    }
    p.sadd(this.set, ...byKey.keys());
    for (const [err] of (await p.exec()) ?? []) if (err) throw err;
  }

  async keys(max: number): Promise<string[]> {
    return this.redis.srandmember(this.set, max);
  }

  async records(key: string): Promise<ArchiveRecord[]> {
    const raws = await this.redis.lrange(this.list(key), 0, -1);
    this.read.set(key, raws.length);
    return raws.map((r) => decodeArchivePlaintext(r).record);
  }

  async release(key: string): Promise<void> {
    const count = this.read.get(key) ?? 0;
    this.read.delete(key);
    await this.redis.archiveHoldRelease(this.list(key), this.set, count, key);
  }
}
