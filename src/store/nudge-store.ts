import type Redis from 'ioredis';
import type { NudgeKind } from '../domain/nudge-policy';

/** A nudge held back by the rep's daily cap, waiting for the digest. (Sent nudges live on the lead's timeline.) */
export interface NudgeRecord {
  id: string;
  leadId: string;
  kind: NudgeKind;
  owner: string;
  title: string;
  createdAt: number;
}

/** Admits a nudge id into a rep's daily allowance (idempotent per id), or answers 0 when it is used up. */
const TAKE = `
if redis.call('SISMEMBER', KEYS[1], ARGV[3]) == 1 then return 1 end
if redis.call('SCARD', KEYS[1]) >= tonumber(ARGV[1]) then return 0 end
redis.call('SADD', KEYS[1], ARGV[3])
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 1`;

interface NudgeCommands {
  nudgeTake(key: string, cap: number, ttlMs: number, id: string): Promise<number>;
}

/**
 * Nudge bookkeeping (docs/data-model.md):
 *   <p>:nudge:{<id>}                    string (JSON), 60 days          a nudge held back by the cap
 *   <p>:nudge:cap:<rep>:<yyyymmdd>      set, ~1 day                     the nudge ids a rep got today (the daily cap)
 *   <p>:nudge:overflow:<rep>            list                            nudges over the cap, for the next digest
 */
export class NudgeStore {
  private readonly redis: Redis & NudgeCommands;
  constructor(
    redis: Redis,
    private readonly prefix: string,
  ) {
    if (!('nudgeTake' in redis)) redis.defineCommand('nudgeTake', { numberOfKeys: 1, lua: TAKE });
    this.redis = redis as Redis & NudgeCommands;
  }

  /** Whether each nudge id fits in its rep's allowance today; asking again for an id gives the same answer. */
  async admitMany(items: { id: string; rep: string; dayId: string }[], cap: number): Promise<{ id: string; allowed: boolean }[]> {
    if (items.length === 0) return [];
    const p = this.redis.pipeline();
    for (const it of items) (p as unknown as NudgeCommands).nudgeTake(`${this.prefix}:nudge:cap:${it.rep}:${it.dayId}`, cap, 36 * 3_600_000, it.id);
    const res = (await p.exec()) ?? [];
    return items.map((it, i) => ({ id: it.id, allowed: Number(res[i]?.[1]) > 0 }));
  }

  /** Records nudges held back by the cap (once each) and queues them for the rep's digest; returns how many were new. */
  async holdMany(records: NudgeRecord[]): Promise<number> {
    if (records.length === 0) return 0;
    const p = this.redis.pipeline();
    for (const n of records) p.set(`${this.prefix}:nudge:{${n.id}}`, JSON.stringify(n), 'EX', 60 * 86400, 'NX');
    const res = (await p.exec()) ?? [];
    const fresh = records.filter((_, i) => res[i]?.[1] === 'OK');
    if (fresh.length) {
      const q = this.redis.pipeline();
      for (const n of fresh) q.rpush(`${this.prefix}:nudge:overflow:${n.owner}`, n.id);
      await q.exec();
    }
    return fresh.length;
  }

  async get(id: string): Promise<NudgeRecord | undefined> {
    const raw = await this.redis.get(`${this.prefix}:nudge:{${id}}`);
    return raw ? (JSON.parse(raw) as NudgeRecord) : undefined;
  }

  /** Reads and clears a rep's overflow. */
  async takeOverflow(rep: string): Promise<string[]> {
    const key = `${this.prefix}:nudge:overflow:${rep}`;
    const [[, ids]] = (await this.redis.multi().lrange(key, 0, -1).del(key).exec()) as [[unknown, string[]], unknown];
    return [...new Set(ids)];
  }
}
