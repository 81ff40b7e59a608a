import type { ChainableCommander } from 'ioredis';
import { pipeline } from '../pipeline';
import { scanKeys, type RedisClient } from '../redis';
import type { LeadQueries, LeadQuery } from '../../app/ports';
import { BUYING_STATES, OUTCOMES, type Lead } from '../../domain/lead';
import type { LedgerKeys } from './keys';
import { belongsIn, membershipsOf, possibleSetsOf } from './memberships';

/**
 * The indexes over the leads (LeadQueries over Redis): written from the lead itself after every write (`reindex`,
 * idempotent, so a retried write repairs what a crash left out), read a chunk at a time, repaired nightly.
 */
export class LeadIndexes implements LeadQueries {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: LedgerKeys,
    private readonly read: (ids: string[]) => Promise<Lead[]>,
  ) {}

  /**
   * Queues the index writes for a lead just written: its memberships (ordered ones NX, so scores already there stay),
   * out of every other state, outcome and manual list whatever `before` says (a retry after a crash reads the new
   * lead as its `before`), out of the old owner's lists, and due now (`LT`: an earlier due time stays).
   */
  reindex(p: ChainableCommander, before: Lead | undefined, after: Lead, now: number): void {
    const idx = (n: string) => this.keys.idx(n);
    const m = membershipsOf(after);
    if (before && before.owner !== after.owner) p.zrem(idx(`owner:${before.owner}`), after.id).srem(idx(`manual:${before.owner}`), after.id);
    for (const name of possibleSetsOf(after.owner)) if (!m.sets.includes(name)) p.srem(idx(name), after.id);
    // The board recomputes this lead's row (its state, owner, outcome or groups may have changed).
    p.sadd(this.keys.boardPending(), after.id);
    if (after.mergedInto) {
      for (const name of ['all', `owner:${after.owner}`, 'lastcust', 'due']) p.zrem(idx(name), after.id);
      return;
    }
    for (const o of m.ordered) p.zadd(idx(o.name), 'NX', o.score, after.id);
    for (const name of m.sets) p.sadd(idx(name), after.id);
    p.zadd(idx('due'), 'LT', now, after.id);
    p.sadd(idx('owners'), after.owner);
  }

  /** Queues a lead's memberships with exact scores (bulk load: the last customer touch is known). */
  load(p: ChainableCommander, lead: Lead, lastCustomerTouch: number): void {
    const m = membershipsOf(lead);
    for (const o of m.ordered) p.zadd(this.keys.idx(o.name), o.name === 'lastcust' ? Math.max(o.score, lastCustomerTouch) : o.score, lead.id);
    for (const name of m.sets) p.sadd(this.keys.idx(name), lead.id);
    if (!lead.mergedInto) p.sadd(this.keys.idx('owners'), lead.owner);
  }

  /**
   * Lead ids matching a query and the total before pagination. The walk starts from the most selective ordered
   * index — last customer touch (quiet filter, most quiet first), the owner's leads, or all leads (newest first) —
   * and checks the other filters against their sets a chunk at a time, stopping once the page is full. The total
   * comes from the index sizes (ZCOUNT, SCARD, SINTERCARD) where that is exact; otherwise the walk goes on, chunked.
   */
  async queryLeads(q: LeadQuery): Promise<{ ids: string[]; total: number }> {
    const idx = (n: string) => this.keys.idx(n);
    const source = q.quietSince !== undefined ? 'lastcust' : q.owner ? `owner:${q.owner}` : 'all';
    const sets = [q.state && idx(`state:${q.state}`), q.outcome && idx(`outcome:${q.outcome}`)].filter((k): k is string => !!k);
    const ownerCheck = q.owner && source === 'lastcust' ? idx(`owner:${q.owner}`) : undefined;
    const read = (start: number, count: number) =>
      source === 'lastcust'
        ? this.redis.zrangebyscore(idx(source), '-inf', q.quietSince as number, 'LIMIT', start, count)
        : this.redis.zrevrange(idx(source), start, start + count - 1);

    if (sets.length === 0 && !ownerCheck) {
      const [ids, total] = await Promise.all([
        read(q.offset, q.limit),
        source === 'lastcust' ? this.redis.zcount(idx(source), '-inf', q.quietSince as number) : this.redis.zcard(idx(source)),
      ]);
      return { ids, total };
    }
    const exactTotal = source === 'all' ? (sets.length === 1 ? this.redis.scard(sets[0] as string) : this.redis.sintercard(sets.length, ...sets)) : undefined;
    const wanted = q.offset + q.limit;
    const matches: string[] = [];
    let counted = 0;
    const CHUNK = 2000;
    for (let start = 0; ; start += CHUNK) {
      const chunk = await read(start, CHUNK);
      if (chunk.length === 0) break;
      const checks = await Promise.all([
        ...sets.map((k) => this.redis.smismember(k, ...chunk)),
        ...(ownerCheck ? [this.redis.zmscore(ownerCheck, ...chunk).then((r) => r.map((v) => (v === null ? 0 : 1)))] : []),
      ]);
      chunk.forEach((id, i) => {
        if (!checks.every((c) => c[i] === 1)) return;
        counted++;
        if (matches.length < wanted) matches.push(id);
      });
      if (chunk.length < CHUNK || (exactTotal && matches.length >= wanted)) break;
    }
    return { ids: matches.slice(q.offset, wanted), total: exactTotal ? await exactTotal : counted };
  }

  /**
   * Makes the indexes agree with the leads (reconciliation runs it nightly): index writes follow a lead's write, not
   * atomically, so a crash in between (with no retry) can leave a lead missing from an index or listed under its old
   * state, owner or outcome. Adds what is missing (never touching due times or last-touch scores already there), then
   * removes what is stale — both by membershipsOf. Returns how many memberships it added and removed.
   */
  async repairIndexes(): Promise<{ leads: number; added: number; removed: number }> {
    const report = { leads: 0, added: 0, removed: 0 };
    const leadKey = this.keys.leadKeyPattern();
    for await (const keys of scanKeys(this.redis, `${this.keys.prefix}:lead:{*}`)) {
      const leads = (await this.read(keys.map((k) => leadKey.exec(k)?.[1]).filter((id): id is string => !!id))).filter((l) => !l.mergedInto);
      report.leads += leads.length;
      const add = pipeline(this.redis);
      for (const l of leads) {
        const m = membershipsOf(l);
        for (const o of m.ordered) add.zadd(this.keys.idx(o.name), 'NX', o.score, l.id);
        for (const name of m.sets) add.sadd(this.keys.idx(name), l.id);
      }
      for (const [, n] of (await add.exec()) ?? []) report.added += typeof n === 'number' ? n : 0;
    }
    // Every index entry: gone if its lead is gone or no longer belongs there. The leads are read right before
    // removing, so a lead that changed meanwhile keeps its new place. The owners are found by a scan here, which
    // also repairs the owners set.
    const owners = await this.scanOwners();
    const names = [
      'all',
      'lastcust',
      'due',
      ...BUYING_STATES.map((s) => `state:${s}`),
      ...OUTCOMES.map((o) => `outcome:${o}`),
      ...owners.flatMap((o) => [`owner:${o}`, `manual:${o}`]),
    ];
    for (const name of names) {
      const key = this.keys.idx(name);
      const type = await this.redis.type(key);
      if (type !== 'zset' && type !== 'set') continue;
      let c = '0';
      do {
        const [next, raw] = type === 'zset' ? await this.redis.zscan(key, c, 'COUNT', 1000) : await this.redis.sscan(key, c, 'COUNT', 1000);
        c = next;
        const ids = type === 'zset' ? raw.filter((_, i) => i % 2 === 0) : raw;
        const found = new Map((await this.read(ids)).map((l) => [l.id, l]));
        const stale = ids.filter((id) => {
          const l = found.get(id);
          return !l || !belongsIn(l, name);
        });
        if (stale.length) report.removed += type === 'zset' ? await this.redis.zrem(key, ...stale) : await this.redis.srem(key, ...stale);
      } while (c !== '0');
    }
    return report;
  }

  /**
   * Moves indexes written before the {idx} hash tag (<p>:idx:<name>) to their keys now, once, at a worker's start:
   * every member is merged with its score (ZADD NX / SADD: nothing written since is overwritten), the old key
   * removed, and then the repair runs, so a member that went stale meanwhile leaves again. Safe to run in several
   * processes at once. Answers how many old keys it moved.
   */
  async migrateLegacy(): Promise<number> {
    const legacy = this.keys.legacyIdx('');
    let moved = 0;
    for await (const keys of scanKeys(this.redis, `${legacy}*`)) {
      for (const old of keys) {
        const name = old.slice(legacy.length);
        const type = await this.redis.type(old);
        let c = '0';
        do {
          const [next, raw] = type === 'zset' ? await this.redis.zscan(old, c, 'COUNT', 1000) : await this.redis.sscan(old, c, 'COUNT', 1000);
          c = next;
          if (raw.length === 0) continue;
          if (type === 'zset') {
            const args: (string | number)[] = [];
            for (let i = 0; i < raw.length; i += 2) args.push(raw[i + 1] as string, raw[i] as string);
            await this.redis.zadd(this.keys.idx(name), 'NX', ...args);
          } else await this.redis.sadd(this.keys.idx(name), ...raw);
        } while (c !== '0');
        await this.redis.unlink(old);
        moved++;
      }
    }
    if (moved > 0) await this.repairIndexes();
    return moved;
  }

  async countByStateAndOutcome(): Promise<{ state: Record<string, number>; outcome: Record<string, number> }> {
    const p = pipeline(this.redis);
    for (const st of BUYING_STATES) p.scard(this.keys.idx(`state:${st}`));
    for (const o of OUTCOMES) p.scard(this.keys.idx(`outcome:${o}`));
    const res = (await p.exec()) ?? [];
    for (const [err] of res) if (err) throw err;
    const n = (i: number) => Number(res[i]?.[1] ?? 0);
    return {
      state: Object.fromEntries(BUYING_STATES.map((st, i) => [st, n(i)])),
      outcome: Object.fromEntries(OUTCOMES.map((o, i) => [o, n(BUYING_STATES.length + i)])),
    };
  }

  async manualLeadsOf(owner: string): Promise<Lead[]> {
    return this.read(await this.redis.smembers(this.keys.idx(`manual:${owner}`)));
  }

  async leadsOf(owner: string): Promise<Lead[]> {
    return this.read(await this.redis.zrevrange(this.keys.idx(`owner:${owner}`), 0, -1));
  }

  /**
   * The reps with leads, from the owners set (`idx:owners`, added to by every write; a rep whose leads all moved stays
   * in it and is left out here). Where the set is missing (data written before it existed), a scan fills it once.
   */
  async owners(): Promise<string[]> {
    const listed = await this.redis.smembers(this.keys.idx('owners'));
    if (listed.length === 0) return this.scanOwners();
    const p = pipeline(this.redis);
    for (const o of listed) p.exists(this.keys.idx(`owner:${o}`));
    const res = (await p.exec()) ?? [];
    return listed.filter((_, i) => res[i]?.[1] !== 0);
  }

  /** The reps with leads, by a scan of the owner indexes (slow: every key is visited), written to the owners set. */
  private async scanOwners(): Promise<string[]> {
    const owners = new Set<string>();
    const prefix = this.keys.idx('owner:');
    for await (const keys of scanKeys(this.redis, `${prefix}*`)) for (const k of keys) owners.add(k.slice(prefix.length));
    if (owners.size > 0) await this.redis.sadd(this.keys.idx('owners'), ...owners);
    return [...owners];
  }
}
