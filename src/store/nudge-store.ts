import type { RedisClient } from './redis';
import { defineScript, pipeline } from './pipeline';
import type { NudgeRecord, NudgeRepository } from '../app/ports';

/**
 * Admits a batch of nudge ids into their reps' allowances for one day, in one call: an id admitted before is admitted
 * again (idempotent), otherwise it is admitted while its rep's count is under the cap. ARGV: cap, ttl, then rep/id pairs.
 * Answers 1 or 0 per pair.
 */
const ADMIT = `
local cap = tonumber(ARGV[1])
local out = {}
for i = 3, #ARGV, 2 do
  local rep, id = ARGV[i], ARGV[i + 1]
  if redis.call('HEXISTS', KEYS[1], 'n:' .. id) == 1 then out[#out + 1] = 1
  elseif tonumber(redis.call('HGET', KEYS[1], 'c:' .. rep) or '0') >= cap then out[#out + 1] = 0
  else
    redis.call('HSET', KEYS[1], 'n:' .. id, rep)
    redis.call('HINCRBY', KEYS[1], 'c:' .. rep, 1)
    out[#out + 1] = 1
  end
end
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return out`;

interface NudgeCommands {
  nudgeAdmit(key: string, cap: number, ttlMs: number, ...repIdPairs: string[]): Promise<number[]>;
}

/**
 * Nudge bookkeeping (docs/data-model.md):
 *   <p>:nudge:{<id>}                    string (JSON), 60 days          a nudge held back by the cap
 *   <p>:nudge:cap:<yyyymmdd>            hash, ~36 h                     per rep: c:<rep> = count, n:<id> = rep (the daily cap)
 *   <p>:nudge:overflow:<rep>            list                            nudges over the cap, for the next digest
 */
export class NudgeStore implements NudgeRepository {
  private readonly redis: RedisClient & NudgeCommands;
  constructor(
    redis: RedisClient,
    private readonly prefix: string,
  ) {
    defineScript(redis, 'nudgeAdmit', ADMIT, 1);
    this.redis = redis as RedisClient & NudgeCommands;
  }

  /**
   * Whether each nudge id fits in its rep's allowance for its day; asking again for an id gives the same answer.
   * One script call per day in the batch (a sweep's batch has one), so admission costs one round trip, not one per id.
   */
  async admitMany(items: { id: string; rep: string; dayId: string }[], cap: number): Promise<{ id: string; allowed: boolean }[]> {
    const byDay = new Map<string, number[]>();
    items.forEach((it, i) => {
      const idx = byDay.get(it.dayId);
      if (idx) idx.push(i);
      else byDay.set(it.dayId, [i]);
    });
    const allowed = new Array<boolean>(items.length).fill(false);
    await Promise.all(
      [...byDay].map(async ([dayId, idx]) => {
        const args = idx.flatMap((i) => [items[i]!.rep, items[i]!.id]);
        const res = await this.redis.nudgeAdmit(`${this.prefix}:nudge:cap:${dayId}`, cap, 36 * 3_600_000, ...args);
        idx.forEach((i, k) => (allowed[i] = res[k] === 1));
      }),
    );
    return items.map((it, i) => ({ id: it.id, allowed: allowed[i] === true }));
  }

  /** Records nudges held back by the cap (once each) and queues them for the rep's digest; returns how many were new. */
  async holdMany(records: NudgeRecord[]): Promise<number> {
    if (records.length === 0) return 0;
    const p = pipeline(this.redis);
    for (const n of records) p.set(`${this.prefix}:nudge:{${n.id}}`, JSON.stringify(n), 'EX', 60 * 86400, 'NX');
    const res = (await p.exec()) ?? [];
    const fresh = records.filter((_, i) => res[i]?.[1] === 'OK');
    if (fresh.length) {
      const q = pipeline(this.redis);
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
