import type Redis from 'ioredis';
import type { BoardProjection } from '../app/ports';
import { teamLine, type BoardRow, type TeamLine } from '../domain/board/rows';

/**
 * The board's aggregates in Redis: `<p>:board:rows:{<rep>}` (hash: lead id → row JSON), `<p>:board:owner` (hash: lead
 * id → the rep whose rows hold it, so a lead that changes hands leaves its old rep), `<p>:board:dirty` (set of reps
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

  async saveRows(rows: BoardRow[]): Promise<void> {
    if (rows.length === 0) return;
    const previous = await this.redis.hmget(this.k('owner'), ...rows.map((r) => r.leadId));
    const p = this.redis.pipeline();
    rows.forEach((r, i) => {
      const before = previous[i];
      if (before && before !== r.owner) {
        p.hdel(this.rowsKey(before), r.leadId);
        p.sadd(this.k('dirty'), before);
      }
      p.hset(this.rowsKey(r.owner), r.leadId, JSON.stringify(r));
      p.hset(this.k('owner'), r.leadId, r.owner);
      p.sadd(this.k('dirty'), r.owner);
      p.sadd(this.k('reps'), r.owner);
    });
    await p.exec();
  }

  async refreshTeams(): Promise<number> {
    const reps = await this.redis.spop(this.k('dirty'), 1000);
    for (const rep of reps) {
      const rows = (await this.redis.hvals(this.rowsKey(rep))).map((v) => JSON.parse(v) as BoardRow);
      await this.redis.hset(this.k('team'), rep, JSON.stringify(teamLine(rep, rows)));
    }
    return reps.length;
  }

  async team(reps: string[] | 'all'): Promise<TeamLine[]> {
    const ids = reps === 'all' ? await this.redis.smembers(this.k('reps')) : reps;
    if (ids.length === 0) return [];
    const raw = await this.redis.hmget(this.k('team'), ...ids);
    return raw.flatMap((v) => (v ? [JSON.parse(v) as TeamLine] : []));
  }
}
