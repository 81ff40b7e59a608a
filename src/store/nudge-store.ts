import type Redis from 'ioredis';
import { DAY_MS } from '../domain/metrics';
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
 *   <p>:nudge:claim:{<leadId>}:<kind>:<cycle>  string, TTL ≥ 1 day     the nudge id for (lead, kind, repeat cycle)
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
   * For each (lead, kind): the nudge id in force this period — the first caller's id wins, every other caller
   * (another worker process, a sweep re-run after a crash) gets the same id back — with its record if one exists and
   * whether the rep's allowance today admits it (asking again for the same id gives the same answer). Two pipelined
   * round trips for the whole batch.
   */
  async claimMany(items: { leadId: string; kind: NudgeKind; cycle: string; candidateId: string; periodMs: number; rep: string; dayId: string }[], cap: number): Promise<{ id: string; existing?: NudgeRecord; allowed: boolean }[]> {
    if (items.length === 0) return [];
    const p1 = this.redis.pipeline() as unknown as NudgeCommands & { exec(): Promise<[Error | null, unknown][]> };
    for (const it of items) p1.nudgeClaim(`${this.prefix}:nudge:claim:{${it.leadId}}:${it.kind}:${it.cycle}`, it.candidateId, Math.max(it.periodMs, DAY_MS));
    const ids = (await p1.exec()).map(([, v]) => String(v));
    const p2 = this.redis.pipeline();
    ids.forEach((id, i) => {
      const it = items[i] as (typeof items)[number];
      p2.get(`${this.prefix}:nudge:{${id}}`);
      (p2 as unknown as NudgeCommands).nudgeTake(`${this.prefix}:nudge:cap:${it.rep}:${it.dayId}`, cap, 36 * 3_600_000, id);
    });
    const res = (await p2.exec()) ?? [];
    return ids.map((id, i) => {
      const raw = res[2 * i]?.[1] as string | null;
      return { id, existing: raw ? (JSON.parse(raw) as NudgeRecord) : undefined, allowed: Number(res[2 * i + 1]?.[1]) > 0 };
    });
  }

  async saveMany(records: NudgeRecord[]): Promise<void> {
    if (records.length === 0) return;
    const p = this.redis.pipeline();
    for (const n of records) p.set(`${this.prefix}:nudge:{${n.id}}`, JSON.stringify(n), 'EX', 60 * 86400);
    await p.exec();
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
