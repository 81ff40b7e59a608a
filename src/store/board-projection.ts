import type Redis from 'ioredis';
import type { BoardProjection } from '../app/ports';
import { createHash } from 'node:crypto';
import { teamLine, type BoardRow, type TeamLine } from '../domain/board/rows';

/**
 * The board's aggregates in Redis: `<p>:board:rows:{<rep>}` (hash: lead id → row JSON), `<p>:board:owner` (hash: lead
 * id → the rep and a digest of its row, so a lead that changes hands leaves its old rep and an unchanged row is not
 * written again), `<p>:board:pending` (set: leads the ledger changed since), `<p>:board:dirty` (set of reps
 * whose team line is stale), `<p>:board:team` (hash: rep → team line JSON) and `<p>:board:reps` (set of reps).
 */
export class RedisBoardProjection implements BoardProjection {
  constructor(
    private readonly redis: Redis,
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
  private riskKey(rep: string) {
    return `${this.prefix}:board:risk:{${rep}}`;
  }

  async saveRows(rows: BoardRow[]): Promise<void> {
    if (rows.length === 0) return;
    const previous = await this.redis.hmget(this.k('owner'), ...rows.map((r) => r.leadId));
    const p = this.redis.pipeline();
    const dirty = new Set<string>();
    const byRep = new Map<string, string[]>();
    const owners: string[] = [];
    rows.forEach((r, i) => {
      const [before, digestBefore] = (previous[i] ?? '').split('\t');
      const json = JSON.stringify(r);
      const digest = createHash('sha1').update(json).digest('base64url');
      if (before === r.owner && digestBefore === digest) return;
      if (before && before !== r.owner) {
        p.hdel(this.rowsKey(before), r.leadId);
        p.zrem(this.riskKey(before), r.leadId);
        dirty.add(before);
      }
      if (r.open && r.risk > 0) p.zadd(this.riskKey(r.owner), r.risk, r.leadId);
      else p.zrem(this.riskKey(r.owner), r.leadId);
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
   * Open leads at risk, the riskiest first, from the reps' risk indexes (no scan of rows): each rep's top leads are read,
   * filtered and merged. `filter` narrows by state or chip; it reads deeper into each index until the page is full.
   */
  async risks(reps: string[] | 'all', filter: { state?: string; chip?: string }, offset: number, limit: number): Promise<BoardRow[]> {
    const ids = reps === 'all' ? await this.redis.smembers(this.k('reps')) : reps;
    const want = offset + limit;
    const keep = (r: BoardRow) => (!filter.state || r.state === filter.state) && (!filter.chip || r.chips.some((c) => c.chip === filter.chip));
    const found: BoardRow[] = [];
    for (const rep of ids) {
      for (let start = 0; ; start += want) {
        const leadIds = await this.redis.zrevrange(this.riskKey(rep), start, start + want - 1);
        if (leadIds.length === 0) break;
        const rows = (await this.redis.hmget(this.rowsKey(rep), ...leadIds)).flatMap((v) => (v ? [JSON.parse(v) as BoardRow] : []));
        const kept = rows.filter(keep);
        found.push(...kept);
        if (leadIds.length < want || kept.length >= want || (!filter.state && !filter.chip)) break;
      }
    }
    return found.sort((a, b) => b.risk - a.risk || a.leadId.localeCompare(b.leadId)).slice(offset, want);
  }

  async team(reps: string[] | 'all'): Promise<TeamLine[]> {
    const ids = reps === 'all' ? await this.redis.smembers(this.k('reps')) : reps;
    if (ids.length === 0) return [];
    const raw = await this.redis.hmget(this.k('team'), ...ids);
    return raw.flatMap((v) => (v ? [JSON.parse(v) as TeamLine] : []));
  }
}
