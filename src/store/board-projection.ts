import type { RedisClient } from './redis';
import { pipeline } from './pipeline';
import type { BoardProjection } from '../app/ports';
import { createHash } from 'node:crypto';
import { BUYING_STATES } from '../domain/lead';
import { teamLine, type BoardRow, type RiskChip, type TeamLine } from '../domain/board/rows';

const CHIPS: RiskChip['chip'][] = [
  'unpositioned',
  'quiet',
  'no_call_this_week',
  'proposal_no_meeting',
  'single_threaded',
  'decision_passed',
  'decision_slipped',
  'nudges_ignored',
];
/** Bumped when the indexes a row is written to change, so the next rebuild writes every row again. */
const INDEX_VERSION = 'v2';

/**
 * The board's aggregates in Redis: `<p>:board:rows:{<rep>}` (hash: lead id → row JSON), `<p>:board:owner` (hash: lead
 * id → the rep and a digest of its row, so a lead that changes hands leaves its old rep and an unchanged row is not
 * written again), `<p>:board:pending` (set: leads the ledger changed since), `<p>:board:dirty` (set of reps
 * whose team line is stale), `<p>:board:team` (hash: rep → team line JSON), `<p>:board:reps` (set of reps) and, per
 * rep, the open leads at risk by risk: all of them (`<p>:board:risk:{<rep>}`), and by chip and by state
 * (`…:{<rep>}:chip:<chip>`, `…:{<rep>}:state:<state>`), so a filtered risk list reads only what it shows. A rep's keys
 * share the `{<rep>}` hash tag (one Redis Cluster slot).
 */
export class RedisBoardProjection implements BoardProjection {
  constructor(
    private readonly redis: RedisClient,
    private readonly prefix: string,
  ) {}

  private k(name: string) {
    return `${this.prefix}:board:${name}`;
  }

  private rowsKey(rep: string) {
    return `${this.prefix}:board:rows:{${rep}}`;
  }

  /**
   * Writes the rows whose content changed (most do not between two sweeps: `board:owner` keeps each lead's rep and a
   * digest of its row), moves a lead that changed hands, and marks the reps concerned for refreshTeams.
   */
  private riskKey(rep: string, filter: { state?: string; chip?: string } = {}) {
    const base = `${this.prefix}:board:risk:{${rep}}`;
    return filter.chip ? `${base}:chip:${filter.chip}` : filter.state ? `${base}:state:${filter.state}` : base;
  }

  /** Every risk index of a rep, and those this row belongs in (open and at risk: all, its chips, its state). */
  private riskKeys(r: BoardRow): { all: string[]; member: Set<string> } {
    const all = [
      this.riskKey(r.owner),
      ...CHIPS.map((chip) => this.riskKey(r.owner, { chip })),
      ...BUYING_STATES.map((state) => this.riskKey(r.owner, { state })),
    ];
    const member = new Set<string>();
    if (r.open && r.risk > 0) {
      member.add(this.riskKey(r.owner));
      for (const c of r.chips) member.add(this.riskKey(r.owner, { chip: c.chip }));
      member.add(this.riskKey(r.owner, { state: r.state }));
    }
    return { all, member };
  }

  async saveRows(rows: BoardRow[]): Promise<void> {
    if (rows.length === 0) return;
    const previous = await this.redis.hmget(this.k('owner'), ...rows.map((r) => r.leadId));
    const p = pipeline(this.redis);
    const dirty = new Set<string>();
    const byRep = new Map<string, string[]>();
    const owners: string[] = [];
    rows.forEach((r, i) => {
      const [before, digestBefore] = (previous[i] ?? '').split('\t');
      const json = JSON.stringify(r);
      const digest = createHash('sha1').update(INDEX_VERSION).update(json).digest('base64url');
      if (before === r.owner && digestBefore === digest) return;
      if (before && before !== r.owner) {
        p.hdel(this.rowsKey(before), r.leadId);
        for (const key of this.riskKeys({ ...r, owner: before }).all) p.zrem(key, r.leadId);
        dirty.add(before);
      }
      const keys = this.riskKeys(r);
      for (const key of keys.all)
        if (keys.member.has(key)) p.zadd(key, r.risk, r.leadId);
        else p.zrem(key, r.leadId);
      byRep.set(r.owner, [...(byRep.get(r.owner) ?? []), r.leadId, json]);
      owners.push(r.leadId, `${r.owner}\t${digest}`);
      dirty.add(r.owner);
    });
    if (dirty.size === 0) return;
    for (const [rep, fields] of byRep) p.hset(this.rowsKey(rep), ...fields);
    if (owners.length > 0) p.hset(this.k('owner'), ...owners);
    p.sadd(this.k('dirty'), ...dirty);
    p.sadd(this.k('reps'), ...dirty);
    await p.exec();
  }

  async takePending(limit: number): Promise<string[]> {
    return this.redis.spop(this.k('pending'), limit);
  }

  async refreshTeams(): Promise<number> {
    const reps = await this.redis.spop(this.k('dirty'), 1000);
    for (const rep of reps) {
      const rows = (await this.redis.hvals(this.rowsKey(rep))).map((v) => JSON.parse(v) as BoardRow);
      await this.redis.hset(this.k('team'), rep, JSON.stringify(teamLine(rep, rows)));
    }
    return reps.length;
  }

  /**
   * Open leads at risk, the riskiest first, from the reps' risk indexes (no scan of rows): the index that answers the
   * filter (by chip, else by state, else all) is read to the page's depth for every rep in one pipeline, the ids are
   * merged by risk, and only the rows shown are read. With both a chip and a state, the chip's index is read deeper
   * until the page is full of rows in that state.
   */
  async risks(reps: string[] | 'all', filter: { state?: string; chip?: string }, offset: number, limit: number): Promise<BoardRow[]> {
    const ids = reps === 'all' ? await this.redis.smembers(this.k('reps')) : reps;
    const want = offset + limit;
    const both = !!(filter.chip && filter.state);
    for (let depth = want; ; depth *= 4) {
      const p = pipeline(this.redis);
      for (const rep of ids) p.zrevrange(this.riskKey(rep, filter), 0, depth - 1, 'WITHSCORES');
      const res = (await p.exec()) ?? [];
      let exhausted = true;
      const ranked: { rep: string; leadId: string; risk: number }[] = [];
      res.forEach(([err, raw], i) => {
        if (err) throw err;
        const flat = raw as string[];
        if (flat.length / 2 >= depth) exhausted = false;
        for (let j = 0; j < flat.length; j += 2) ranked.push({ rep: ids[i] as string, leadId: flat[j] as string, risk: Number(flat[j + 1]) });
      });
      ranked.sort((a, b) => b.risk - a.risk || a.leadId.localeCompare(b.leadId));
      const rows = await this.rowsOf(both ? ranked : ranked.slice(0, want));
      const kept = both ? rows.filter((r) => r.state === filter.state) : rows;
      if (!both || kept.length >= want || exhausted) return kept.slice(offset, want);
    }
  }

  /** The stored rows of these leads, in the order given (one HMGET per rep, pipelined). */
  private async rowsOf(list: { rep: string; leadId: string }[]): Promise<BoardRow[]> {
    const byRep = new Map<string, string[]>();
    for (const x of list) {
      const leadIds = byRep.get(x.rep) ?? [];
      leadIds.push(x.leadId);
      byRep.set(x.rep, leadIds);
    }
    const p = pipeline(this.redis);
    for (const [rep, leadIds] of byRep) p.hmget(this.rowsKey(rep), ...leadIds);
    const res = (await p.exec()) ?? [];
    const found = new Map<string, BoardRow>();
    [...byRep.values()].forEach((leadIds, i) => {
      const [err, raw] = res[i] ?? [];
      if (err) throw err;
      (raw as (string | null)[]).forEach((v, j) => {
        if (v) found.set(leadIds[j] as string, JSON.parse(v) as BoardRow);
      });
    });
    return list.flatMap((x) => {
      const r = found.get(x.leadId);
      return r ? [r] : [];
    });
  }

  async team(reps: string[] | 'all'): Promise<TeamLine[]> {
    const ids = reps === 'all' ? await this.redis.smembers(this.k('reps')) : reps;
    if (ids.length === 0) return [];
    const raw = await this.redis.hmget(this.k('team'), ...ids);
    return raw.flatMap((v) => (v ? [JSON.parse(v) as TeamLine] : []));
  }
}
