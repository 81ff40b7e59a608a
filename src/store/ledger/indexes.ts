import type { ChainableCommander } from 'ioredis';
import { defineScript, pipeline } from '../pipeline';
import { isCustomerTouch } from '../../domain/metrics';
import type { TimelineEntry } from '../../domain/timeline';
import { scanKeys, type RedisClient } from '../redis';
import type { LeadQueries, LeadQuery } from '../../app/ports';
import { BUYING_STATES, OUTCOMES, type Lead } from '../../domain/lead';
import type { LedgerKeys } from './keys';
import { belongsIn, membershipsOf, possibleSetsOf } from './memberships';

/**
 * Lua that applies index writes: ARGV from `start` on are ops, each `sa|zr <key#> <member>` (SADD, ZREM),
 * `za <key#> <score> <member>` (ZADD) or `NX|LT|GT <key#> <score> <member>` (ZADD with that flag), where key# counts
 * from KEYS[base + 1] (`base` and `start` are Lua expressions). Shared by INDEX_OPS and the lead-store scripts, which
 * apply them together with the lead's own writes on a single Redis.
 */
export const applyIndexOpsLua = (base: string, start: string) => `
local i = ${start}
while i <= #ARGV do
  local op, key = ARGV[i], KEYS[${base} + tonumber(ARGV[i + 1])]
  if op == 'sa' then redis.call('SADD', key, ARGV[i + 2]); i = i + 3
  elseif op == 'zr' then redis.call('ZREM', key, ARGV[i + 2]); i = i + 3
  elseif op == 'za' then redis.call('ZADD', key, ARGV[i + 2], ARGV[i + 3]); i = i + 4
  else redis.call('ZADD', key, op, ARGV[i + 2], ARGV[i + 3]); i = i + 4 end
end`;

/**
 * Applies a list of index writes in one command (all index keys share the {idx} slot). KEYS: the index keys; ARGV:
 * the ops (applyIndexOpsLua). One command per lead write instead of one per index, and the writes of one lead land
 * together.
 */
const INDEX_OPS = `${applyIndexOpsLua('0', '1')}
return 1`;

/** The index layout this code writes ({idx} hash tag, sorted sets, no open list); recorded once migrated to it. */
const INDEX_LAYOUT = 'idx-v2';

/** Index writes collected for one INDEX_OPS call (see LeadIndexes.flush). */
export class IndexOps {
  readonly keys: string[] = [];
  readonly argv: (string | number)[] = [];
  private readonly slots = new Map<string, number>();

  private slot(key: string): number {
    let n = this.slots.get(key);
    if (n === undefined) {
      this.keys.push(key);
      n = this.keys.length;
      this.slots.set(key, n);
    }
    return n;
  }
  sadd(key: string, member: string): this {
    this.argv.push('sa', this.slot(key), member);
    return this;
  }
  zrem(key: string, member: string): this {
    this.argv.push('zr', this.slot(key), member);
    return this;
  }
  /** ZADD with a flag, or plain (`set`: the score is replaced). */
  zadd(flag: 'NX' | 'LT' | 'GT' | 'set', key: string, score: number, member: string): this {
    this.argv.push(flag === 'set' ? 'za' : flag, this.slot(key), score, member);
    return this;
  }
  get empty(): boolean {
    return this.argv.length === 0;
  }
}

/**
 * The indexes over the leads (LeadQueries over Redis): written from the lead itself after every write (`reindex`,
 * idempotent, so a retried write repairs what a crash left out), read a chunk at a time, repaired nightly.
 */
export class LeadIndexes implements LeadQueries {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: LedgerKeys,
    private readonly read: (ids: string[]) => Promise<Lead[]>,
  ) {
    defineScript(redis, 'ledgerIndexOps', INDEX_OPS);
  }

  /** Queues the collected index writes on a pipeline as one command. */
  flush(p: ChainableCommander, ops: IndexOps): void {
    if (ops.empty) return;
    (p as unknown as { ledgerIndexOps(n: number, ...args: (string | number)[]): unknown }).ledgerIndexOps(ops.keys.length, ...ops.keys, ...ops.argv);
  }

  /**
   * Queues the index writes for a lead just written: its memberships (ordered ones NX, so scores already there stay),
   * out of every other state, outcome and manual list whatever `before` says (a retry after a crash reads the new
   * lead as its `before`), out of the old owner's lists, and due now (`LT`: an earlier due time stays). No `before`
   * means the write created the lead (its compare-and-set found it absent): it is in no list to be taken out of.
   */
  reindex(ops: IndexOps, before: Lead | undefined, after: Lead, now: number): void {
    const idx = (n: string) => this.keys.idx(n);
    const m = membershipsOf(after);
    const names = new Set(m.ordered.map((o) => o.name));
    if (before && before.owner !== after.owner) ops.zrem(idx(`owner:${before.owner}`), after.id).zrem(idx(`manual:${before.owner}`), after.id);
    // A lead this write created (checked absent by the write itself) is in no list yet: nothing to take it out of.
    if (before) for (const name of possibleSetsOf(after.owner)) if (!names.has(name)) ops.zrem(idx(name), after.id);
    if (after.mergedInto) {
      for (const name of ['all', `owner:${after.owner}`, 'lastcust', 'due']) ops.zrem(idx(name), after.id);
      return;
    }
    for (const o of m.ordered) ops.zadd('NX', idx(o.name), o.score, after.id);
    this.dueNow(ops, after.id, now);
    ops.sadd(idx('owners'), after.owner);
  }

  /** Queues "check this lead now" for the sweep (`LT`: an earlier due time stays). */
  dueNow(ops: IndexOps, leadId: string, now: number): void {
    ops.zadd('LT', this.keys.idx('due'), now, leadId);
  }

  /** Queues what new timeline entries change in the indexes: the last customer touch (GT), due now (LT). */
  entriesAdded(ops: IndexOps, leadId: string, entries: TimelineEntry[], now: number): void {
    const touch = entries.filter(isCustomerTouch).reduce((m, e) => Math.max(m, e.at), Number.NEGATIVE_INFINITY);
    if (touch > Number.NEGATIVE_INFINITY) ops.zadd('GT', this.keys.idx('lastcust'), touch, leadId);
    if (entries.some((e) => e.kind !== 'nudge_sent')) ops.zadd('LT', this.keys.idx('due'), now, leadId);
  }

  /** Queues a lead's memberships with exact scores (bulk load: the last customer touch is known). */
  load(p: ChainableCommander, lead: Lead, lastCustomerTouch: number): void {
    const m = membershipsOf(lead);
    for (const o of m.ordered) p.zadd(this.keys.idx(o.name), o.name === 'lastcust' ? Math.max(o.score, lastCustomerTouch) : o.score, lead.id);
    if (!lead.mergedInto) p.sadd(this.keys.idx('owners'), lead.owner);
  }

  /**
   * Lead ids matching a query and the total before pagination, newest first (most quiet first with a quiet filter).
   * Every filter has its own sorted set scored by creation time, so one filter — or none — is one range read and one
   * count, whatever the number of leads. Several filters walk the smallest of their sets a chunk at a time and check
   * each id against the others (ZMSCORE), stopping once the page is full or every match is found; the total is
   * ZINTERCARD, counted while the first chunk is read (every index shares the {idx} slot, so this works on a Redis
   * Cluster too). A quiet filter walks the last-customer-touch index from the quietest, and counts as it goes when
   * other filters join it.
   */
  async queryLeads(q: LeadQuery): Promise<{ ids: string[]; total: number }> {
    const idx = (n: string) => this.keys.idx(n);
    const open = q.outcome === 'open';
    const filters = [q.state && idx(`state:${q.state}`), q.outcome && !open && idx(`outcome:${q.outcome}`), q.owner && idx(`owner:${q.owner}`)].filter(
      (k): k is string => !!k,
    );
    // Open leads have no list of their own: they are the ones in none of the closed lists.
    const excluded = open ? OUTCOMES.filter((o) => o !== 'open').map((o) => idx(`outcome:${o}`)) : [];
    const quiet = q.quietSince;
    if (quiet === undefined && filters.length <= 1 && excluded.length === 0) {
      const key = filters[0] ?? idx('all');
      const [ids, total] = await Promise.all([this.redis.zrevrange(key, q.offset, q.offset + q.limit - 1), this.redis.zcard(key)]);
      return { ids, total };
    }
    if (quiet !== undefined && filters.length === 0 && excluded.length === 0) {
      const [ids, total] = await Promise.all([
        this.redis.zrangebyscore(idx('lastcust'), '-inf', quiet, 'LIMIT', q.offset, q.limit),
        this.redis.zcount(idx('lastcust'), '-inf', quiet),
      ]);
      return { ids, total };
    }
    // Walk the smallest list (or the quiet range, or all leads), check the others.
    let source: string;
    let checks: string[];
    if (quiet !== undefined) {
      source = idx('lastcust');
      checks = filters;
    } else if (filters.length === 0) {
      source = idx('all');
      checks = [];
    } else {
      const sizes = await Promise.all(filters.map((k) => this.redis.zcard(k)));
      const smallest = sizes.indexOf(Math.min(...sizes));
      source = filters[smallest] as string;
      checks = filters.filter((_, i) => i !== smallest);
    }
    const read = (start: number, count: number) =>
      quiet !== undefined ? this.redis.zrangebyscore(source, '-inf', quiet, 'LIMIT', start, count) : this.redis.zrevrange(source, start, start + count - 1);
    const exactTotal = quiet === undefined ? this.countAll(filters.length ? filters : [idx('all')], excluded) : undefined;
    const wanted = q.offset + q.limit;
    const matches: string[] = [];
    let counted = 0;
    // Chunks start at twice the page (most filters fill it at once: open leads, a common state) and grow to 2,000.
    for (let start = 0, size = Math.min(Math.max(2 * wanted, 100), 2000); ; start += size, size = Math.min(size * 4, 2000)) {
      const chunk = await read(start, size);
      if (chunk.length === 0) break;
      const [inAll, inNone] = await Promise.all([
        Promise.all(checks.map((k) => this.redis.zmscore(k, ...chunk))),
        Promise.all(excluded.map((k) => this.redis.zmscore(k, ...chunk))),
      ]);
      chunk.forEach((id, i) => {
        if (!inAll.every((c) => c[i] !== null) || !inNone.every((c) => c[i] === null)) return;
        counted++;
        if (matches.length < wanted) matches.push(id);
      });
      if (chunk.length < size) break;
      // Stop once the page is full, or once every match the count promised has been found (none: after one chunk).
      if (exactTotal && (matches.length >= wanted || counted >= (await exactTotal))) break;
    }
    return { ids: matches.slice(q.offset, wanted), total: exactTotal ? await exactTotal : counted };
  }

  /** How many leads are in every list of `keys` and in none of `excluded` (the excluded lists do not overlap). */
  private async countAll(keys: string[], excluded: string[]): Promise<number> {
    const inAll = (ks: string[]) => (ks.length === 1 ? this.redis.zcard(ks[0] as string) : this.redis.zintercard(ks.length, ...ks));
    const [total, ...out] = await Promise.all([inAll(keys), ...excluded.map((x) => inAll([...keys, x]))]);
    return (total as number) - out.reduce((a, b) => a + b, 0);
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
   * Moves indexes written before the {idx} hash tag (<p>:idx:<name>) to the layout now, once per deployment, at a
   * worker's start. Only the scores the leads do not hold are carried over — last customer touches and next check
   * times, merged with ZADD NX so nothing written since is overwritten; every other old key is dropped and the repair
   * rebuilds its list from the leads. Safe to run in several processes at once. Answers how many old keys it removed.
   */
  async migrateLegacy(): Promise<number> {
    // Once per deployment: later starts skip the keyspace scan.
    const done = this.keys.idx('layout');
    if ((await this.redis.get(done)) === INDEX_LAYOUT) return 0;
    const legacy = this.keys.legacyIdx('');
    let moved = 0;
    for await (const keys of scanKeys(this.redis, `${legacy}*`)) {
      for (const old of keys) {
        const name = old.slice(legacy.length);
        if (name === 'lastcust' || name === 'due') {
          let c = '0';
          do {
            const [next, raw] = await this.redis.zscan(old, c, 'COUNT', 1000);
            c = next;
            const args: string[] = [];
            for (let i = 0; i < raw.length; i += 2) args.push(raw[i + 1] as string, raw[i] as string);
            if (args.length) await this.redis.zadd(this.keys.idx(name), 'NX', ...args);
          } while (c !== '0');
        }
        await this.redis.unlink(old);
        moved++;
      }
    }
    if (moved > 0) await this.repairIndexes();
    await this.redis.set(done, INDEX_LAYOUT);
    return moved;
  }

  async countByStateAndOutcome(): Promise<{ state: Record<string, number>; outcome: Record<string, number> }> {
    const p = pipeline(this.redis);
    for (const st of BUYING_STATES) p.zcard(this.keys.idx(`state:${st}`));
    p.zcard(this.keys.idx('all')).zcard(this.keys.idx('outcome:won')).zcard(this.keys.idx('outcome:lost'));
    const res = (await p.exec()) ?? [];
    for (const [err] of res) if (err) throw err;
    const n = res.map(([, v]) => Number(v ?? 0));
    const [all, won, lost] = n.slice(BUYING_STATES.length) as [number, number, number];
    return {
      state: Object.fromEntries(BUYING_STATES.map((st, i) => [st, n[i] as number])),
      // Open leads have no list: every listed lead but the closed ones.
      outcome: { open: all - won - lost, won, lost },
    };
  }

  async manualLeadsOf(owner: string): Promise<Lead[]> {
    return this.read(await this.redis.zrange(this.keys.idx(`manual:${owner}`), '0', '-1'));
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
