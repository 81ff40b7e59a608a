import type Redis from 'ioredis';
import type { NudgeKind } from '../domain/nudge-policy';

export interface NudgeRecord {
  id: string;
  leadId: string;
  kind: NudgeKind;
  owner: string;
  title: string;
  createdAt: number;
  /** Set once the card went out. */
  sentAt?: number;
  /** Set when the rep pressed a button. */
  actedAt?: number;
  action?: string;
}

/** Get-or-create: the claim of (lead, kind) for this repeat period. Returns the claim id in force. */
const CLAIM = `
local existing = redis.call('GET', KEYS[1])
if existing then return existing end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return ARGV[1]`;

/** Admits a nudge id into a rep's daily allowance (idempotent per id), or answers 0 when it is used up. */
const TAKE = `
if redis.call('SISMEMBER', KEYS[1], ARGV[3]) == 1 then return 1 end
if redis.call('SCARD', KEYS[1]) >= tonumber(ARGV[1]) then return 0 end
redis.call('SADD', KEYS[1], ARGV[3])
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 1`;

interface NudgeCommands {
  nudgeClaim(key: string, id: string, ttlMs: number): Promise<string>;
  nudgeTake(key: string, cap: number, ttlMs: number, id: string): Promise<number>;
}

/**
 * Nudge bookkeeping (docs/data-model.md):
 *   <p>:nudge:claim:{<leadId>}:<kind>   string, TTL = repeat period   the nudge id in force for (lead, kind)
 *   <p>:nudge:{<id>}                    string (JSON), 60 days          the nudge: lead, kind, owner, sent, acted
 *   <p>:nudge:cap:<rep>:<yyyymmdd>      set, ~1 day                     the nudge ids a rep got today (the daily cap)
 *   <p>:nudge:overflow:<rep>            list                            nudges over the cap, for the next digest
 */
export class NudgeStore {
  private readonly redis: Redis & NudgeCommands;
  constructor(
    redis: Redis,
    private readonly prefix: string,
  ) {
    if (!('nudgeClaim' in redis)) redis.defineCommand('nudgeClaim', { numberOfKeys: 1, lua: CLAIM });
    if (!('nudgeTake' in redis)) redis.defineCommand('nudgeTake', { numberOfKeys: 1, lua: TAKE });
    this.redis = redis as Redis & NudgeCommands;
  }

  /**
   * The nudge id for (lead, kind) in this period: the first caller's id wins, every other caller — another worker
   * process, a sweep re-run after a crash — gets the same id back, so the send is keyed by it and happens once.
   */
  claim(leadId: string, kind: NudgeKind, candidateId: string, periodMs: number): Promise<string> {
    return this.redis.nudgeClaim(`${this.prefix}:nudge:claim:{${leadId}}:${kind}`, candidateId, Math.max(periodMs, 60_000));
  }

  /** Whether this nudge fits in the rep's allowance today; asking again for the same id gives the same answer. */
  async takeAllowance(rep: string, dayId: string, cap: number, id: string): Promise<boolean> {
    return (await this.redis.nudgeTake(`${this.prefix}:nudge:cap:${rep}:${dayId}`, cap, 36 * 3_600_000, id)) > 0;
  }

  async get(id: string): Promise<NudgeRecord | undefined> {
    const raw = await this.redis.get(`${this.prefix}:nudge:{${id}}`);
    return raw ? (JSON.parse(raw) as NudgeRecord) : undefined;
  }

  async save(n: NudgeRecord): Promise<void> {
    await this.redis.set(`${this.prefix}:nudge:{${n.id}}`, JSON.stringify(n), 'EX', 60 * 86400);
  }

  async addOverflow(rep: string, id: string): Promise<void> {
    await this.redis.rpush(`${this.prefix}:nudge:overflow:${rep}`, id);
  }

  /** Reads and clears a rep's overflow. */
  async takeOverflow(rep: string): Promise<string[]> {
    const key = `${this.prefix}:nudge:overflow:${rep}`;
    const [[, ids]] = (await this.redis.multi().lrange(key, 0, -1).del(key).exec()) as [[unknown, string[]], unknown];
    return [...new Set(ids)];
  }
}
