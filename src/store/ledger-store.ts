import type Redis from 'ioredis';
import type { Clock } from '../domain/clock';
import { BUYING_STATES, isFollowedUp, isManual, OUTCOMES, setIfNewer, type BuyingState, type Lead, type Outcome } from '../domain/lead';
import { isCustomerTouch } from '../domain/metrics';
import type { TimelineEntry } from '../domain/timeline';

/**
 * The lead ledger in Redis. Key layout (docs/data-model.md):
 *   <p>:lead:{<id>}          string  the lead as JSON
 *   <p>:lead:{<id>}:tl       zset    timeline entry ids by the time they happened
 *   <p>:lead:{<id>}:tle      hash    entry id → entry JSON
 *   <p>:group:{<chatId>}     string  a customer group: its customer-side members and the leads bound to it
 *   <p>:group:{<chatId>}:joincode  string  the group's QR join code (config id + QR), made once
 *   <p>:idx:all | :owner:<u> zset    lead ids by creation time
 *   <p>:idx:state:<s> | :outcome:<o>   set   lead ids
 *   <p>:idx:lastcust         zset    lead ids by last customer touch (quiet filters, the sweep)
 *   <p>:idx:due              zset    lead ids by next check time (the nudge sweep)
 *   <p>:rep:<u>:last         list    the lead ids of the last list shown to a rep (#n)
 *   <p>:cust:<ext>:groups    set     the customer groups a customer is in (binds a lead that arrives after its groups)
 * A lead's three keys share the hash tag {<id>}, so its updates are single-slot transactions under Redis Cluster;
 * indexes are written after, idempotently, from the lead itself.
 */
/** A customer group's QR join code (add_join_way scene 2 + get_join_way). */
export interface JoinCode {
  configId: string;
  qrCode: string;
}

export interface GroupRecord {
  chatId: string;
  name?: string;
  owner?: string;
  /** Customer-side members (external user ids), from the last groupchat/get. */
  customers: string[];
  /** Company-side members (userids). */
  staff: string[];
  leadIds: string[];
  dismissed?: boolean;
  memberVersion?: string;
  updatedAt: number;
  /** Group-level timeline (created, joins, leaves): copied onto every lead bound to the group, whenever it binds. */
  events: TimelineEntry[];
}

export interface LeadQuery {
  owner?: string;
  state?: BuyingState;
  outcome?: Outcome;
  /** Only leads whose last customer touch is at or before this time (ms). */
  quietSince?: number;
  offset: number;
  limit: number;
}

const ADD_ENTRY = `
if redis.call('HSETNX', KEYS[2], ARGV[1], ARGV[3]) == 1 then
  redis.call('ZADD', KEYS[1], ARGV[2], ARGV[1])
  return 1
end
return 0`;

/** Compare-and-set: write the new lead only if it is still what we read (connection-safe, unlike WATCH). */
const CAS = `
if (redis.call('GET', KEYS[1]) or '') == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[2])
  return 1
end
return 0`;

interface LedgerCommands {
  ledgerAddEntry(tl: string, tle: string, id: string, at: number, json: string): Promise<number>;
  ledgerCas(key: string, expected: string, next: string): Promise<number>;
}

export class LedgerStore {
  private readonly redis: Redis & LedgerCommands;

  constructor(
    redis: Redis,
    private readonly prefix: string,
    private readonly clock: Clock = { now: () => Date.now() },
  ) {
    if (!('ledgerAddEntry' in redis)) redis.defineCommand('ledgerAddEntry', { numberOfKeys: 2, lua: ADD_ENTRY });
    if (!('ledgerCas' in redis)) redis.defineCommand('ledgerCas', { numberOfKeys: 1, lua: CAS });
    this.redis = redis as Redis & LedgerCommands;
  }

  private leadKey(id: string) {
    return `${this.prefix}:lead:{${id}}`;
  }
  private tlKey(id: string) {
    return `${this.prefix}:lead:{${id}}:tl`;
  }
  private tleKey(id: string) {
    return `${this.prefix}:lead:{${id}}:tle`;
  }
  private idx(name: string) {
    return `${this.prefix}:idx:${name}`;
  }
  private groupKey(chatId: string) {
    return `${this.prefix}:group:{${chatId}}`;
  }

  async getLead(id: string): Promise<Lead | undefined> {
    const raw = await this.redis.get(this.leadKey(id));
    return raw ? (JSON.parse(raw) as Lead) : undefined;
  }

  async getLeads(ids: string[]): Promise<Lead[]> {
    if (ids.length === 0) return [];
    const pipe = this.redis.pipeline();
    for (const id of ids) pipe.get(this.leadKey(id));
    const res = (await pipe.exec()) ?? [];
    return res.map(([, v]) => (typeof v === 'string' ? (JSON.parse(v) as Lead) : undefined)).filter((l): l is Lead => !!l);
  }

  /**
   * Read-modify-write of one lead, optimistic: compare-and-set, retried on conflict. `change` gets a copy and returns
   * the new lead, or undefined to leave it. Creates the lead when `change` returns one for an absent id.
   */
  async updateLead(id: string, change: (current: Lead | undefined) => Lead | undefined): Promise<{ before?: Lead; after?: Lead }> {
    const key = this.leadKey(id);
    for (let attempt = 0; attempt < 50; attempt++) {
      const raw = (await this.redis.get(key)) ?? '';
      const before = raw ? (JSON.parse(raw) as Lead) : undefined;
      const after = change(raw ? (JSON.parse(raw) as Lead) : undefined);
      const next = after ? JSON.stringify(after) : raw;
      if (!after) return { before, after: before };
      if (next === raw) {
        // Already written — perhaps by a run that crashed before its index writes: index again (idempotent), so a
        // retry of the same write repairs what the crash left out.
        if (before) await this.reindex(before, before);
        return { before, after: before };
      }
      if ((await this.redis.ledgerCas(key, raw, next)) === 1) {
        await this.reindex(before, after);
        return { before, after };
      }
    }
    throw new Error(`lead ${id}: too much contention`);
  }

  /** Last-writer-wins update of an existing lead: applied only if nothing newer already set that field. */
  updateIfNewer<K extends keyof Lead['stamps']>(id: string, stamp: K, at: number, apply: (l: Lead) => void): Promise<{ before?: Lead; after?: Lead }> {
    return this.updateLead(id, (cur) => {
      if (cur) setIfNewer(cur, stamp, at, apply);
      return cur;
    });
  }

  private async reindex(before: Lead | undefined, after: Lead): Promise<void> {
    const p = this.redis.pipeline();
    if (after.mergedInto) {
      // Merged into a WeCom customer's lead: out of every list, filter and sweep; the record stays as a pointer.
      p.zrem(this.idx('all'), after.id).zrem(this.idx(`owner:${after.owner}`), after.id).srem(this.idx(`state:${after.state}`), after.id);
      p.srem(this.idx(`outcome:${after.outcome}`), after.id).zrem(this.idx('lastcust'), after.id).zrem(this.idx('due'), after.id);
      p.srem(this.idx(`manual:${after.owner}`), after.id);
      if (before && before.owner !== after.owner) p.zrem(this.idx(`owner:${before.owner}`), after.id).srem(this.idx(`manual:${before.owner}`), after.id);
      await p.exec();
      return;
    }
    if (isManual(after)) {
      if (before && before.owner !== after.owner) p.srem(this.idx(`manual:${before.owner}`), after.id);
      if (isFollowedUp(after)) p.sadd(this.idx(`manual:${after.owner}`), after.id);
      else p.srem(this.idx(`manual:${after.owner}`), after.id);
    }
    p.zadd(this.idx('all'), 'NX', after.createdAt, after.id);
    if (before && before.owner !== after.owner) p.zrem(this.idx(`owner:${before.owner}`), after.id);
    p.zadd(this.idx(`owner:${after.owner}`), 'NX', after.createdAt, after.id);
    // Out of every other state and outcome, whatever `before` says: a retry after a crash reads the new lead as its
    // `before`, and must still leave no stale membership behind.
    for (const st of BUYING_STATES) if (st !== after.state) p.srem(this.idx(`state:${st}`), after.id);
    p.sadd(this.idx(`state:${after.state}`), after.id);
    for (const o of OUTCOMES) if (o !== after.outcome) p.srem(this.idx(`outcome:${o}`), after.id);
    p.sadd(this.idx(`outcome:${after.outcome}`), after.id);
    p.zadd(this.idx('lastcust'), 'NX', after.createdAt, after.id);
    // Something changed: the nudge sweep looks at this lead again soon (LT keeps an earlier due time).
    p.zadd(this.idx('due'), 'LT', this.clock.now(), after.id);
    await p.exec();
  }

  /** Appends an entry; a second append of the same id is a no-op (returns false). */
  async addEntry(leadId: string, entry: TimelineEntry): Promise<boolean> {
    const added = (await this.redis.ledgerAddEntry(this.tlKey(leadId), this.tleKey(leadId), entry.id, entry.at, JSON.stringify(entry))) === 1;
    if (added) {
      const p = this.redis.pipeline();
      if (isCustomerTouch(entry)) p.zadd(this.idx('lastcust'), 'GT', String(entry.at), leadId);
      if (entry.kind !== 'nudge_sent') p.zadd(this.idx('due'), 'LT', String(this.clock.now()), leadId);
      await p.exec();
    }
    return added;
  }

  async getTimeline(leadId: string): Promise<TimelineEntry[]> {
    const ids = await this.redis.zrange(this.tlKey(leadId), '0', '-1');
    if (ids.length === 0) return [];
    const raws = await this.redis.hmget(this.tleKey(leadId), ...ids);
    return raws.filter((r): r is string => !!r).map((r) => JSON.parse(r) as TimelineEntry);
  }

  /** Leads and their timelines in one pipelined round trip (the sweep reads a batch at a time). */
  async loadMany(ids: string[]): Promise<{ id: string; lead?: Lead; timeline: TimelineEntry[] }[]> {
    if (ids.length === 0) return [];
    const p = this.redis.pipeline();
    for (const id of ids) p.get(this.leadKey(id)).hvals(this.tleKey(id));
    const res = (await p.exec()) ?? [];
    return ids.map((id, i) => {
      const raw = res[2 * i]?.[1] as string | null;
      const entries = ((res[2 * i + 1]?.[1] as string[] | null) ?? []).map((e) => JSON.parse(e) as TimelineEntry).sort((a, b) => a.at - b.at);
      return { id, lead: raw ? (JSON.parse(raw) as Lead) : undefined, timeline: entries };
    });
  }

  /** Many entries and next-check times in one pipeline (idempotent like addEntry / setDue). */
  async recordMany(entries: { leadId: string; entry: TimelineEntry }[], due: { leadId: string; at: number }[]): Promise<boolean[]> {
    const p = this.redis.pipeline();
    for (const { leadId, entry } of entries) (p as unknown as LedgerCommands).ledgerAddEntry(this.tlKey(leadId), this.tleKey(leadId), entry.id, entry.at, JSON.stringify(entry));
    // The due index is one key: one ZADD and one ZREM for the whole batch.
    const next = due.filter((d) => Number.isFinite(d.at)).flatMap((d) => [d.at, d.leadId]);
    const gone = due.filter((d) => !Number.isFinite(d.at)).map((d) => d.leadId);
    if (next.length) p.zadd(this.idx('due'), ...next);
    if (gone.length) p.zrem(this.idx('due'), ...gone);
    const res = (await p.exec()) ?? [];
    return entries.map((_, i) => res[i]?.[1] === 1);
  }

  /**
   * Lead ids matching a query and the total before pagination. The walk starts from the most selective ordered
   * index — last customer touch (quiet filter, most quiet first), the owner's leads, or all leads (newest first) —
   * and checks the other filters against their sets a chunk at a time, stopping once the page is full. The total
   * comes from the index sizes (ZCOUNT, SCARD, SINTERCARD) where that is exact; otherwise the walk goes on, chunked.
   */
  async queryLeads(q: LeadQuery): Promise<{ ids: string[]; total: number }> {
    const source = q.quietSince !== undefined ? 'lastcust' : q.owner ? `owner:${q.owner}` : 'all';
    const sets = [q.state && this.idx(`state:${q.state}`), q.outcome && this.idx(`outcome:${q.outcome}`)].filter((k): k is string => !!k);
    const ownerCheck = q.owner && source === 'lastcust' ? this.idx(`owner:${q.owner}`) : undefined;
    const read = (start: number, count: number) =>
      source === 'lastcust'
        ? this.redis.zrangebyscore(this.idx(source), '-inf', q.quietSince as number, 'LIMIT', start, count)
        : this.redis.zrevrange(this.idx(source), start, start + count - 1);

    if (sets.length === 0 && !ownerCheck) {
      const [ids, total] = await Promise.all([
        read(q.offset, q.limit),
        source === 'lastcust' ? this.redis.zcount(this.idx(source), '-inf', q.quietSince as number) : this.redis.zcard(this.idx(source)),
      ]);
      return { ids, total };
    }
    const exactTotal =
      source === 'all' ? (sets.length === 1 ? this.redis.scard(sets[0] as string) : this.redis.sintercard(sets.length, ...sets)) : undefined;
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

  /** Writes many leads and their entries at once, pipelined, indexes included (imports, benchmarks). */
  async bulkLoad(items: { lead: Lead; entries: TimelineEntry[] }[]): Promise<void> {
    const p = this.redis.pipeline();
    for (const { lead, entries } of items) {
      p.set(this.leadKey(lead.id), JSON.stringify(lead));
      for (const e of entries) {
        p.hset(this.tleKey(lead.id), e.id, JSON.stringify(e));
        p.zadd(this.tlKey(lead.id), e.at, e.id);
      }
      p.zadd(this.idx('all'), lead.createdAt, lead.id);
      p.zadd(this.idx(`owner:${lead.owner}`), lead.createdAt, lead.id);
      p.sadd(this.idx(`state:${lead.state}`), lead.id);
      p.sadd(this.idx(`outcome:${lead.outcome}`), lead.id);
      if (isManual(lead) && isFollowedUp(lead)) p.sadd(this.idx(`manual:${lead.owner}`), lead.id);
      const lastCustomer = entries.filter(isCustomerTouch).reduce((m, e) => Math.max(m, e.at), lead.createdAt);
      p.zadd(this.idx('lastcust'), lastCustomer, lead.id);
    }
    await p.exec();
  }

  /**
   * Makes the indexes agree with the leads (reconciliation runs it nightly): index writes follow a lead's write, not
   * atomically, so a crash in between can leave a lead missing from an index or listed under its old state, owner or
   * outcome. Adds what is missing (never touching due times or last-touch scores already there), then removes what is
   * stale. Returns how many memberships it added and removed.
   */
  async repairIndexes(): Promise<{ leads: number; added: number; removed: number }> {
    const report = { leads: 0, added: 0, removed: 0 };
    // 1. Every lead key: the memberships it should have.
    const leadKey = new RegExp(`^${this.prefix.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:lead:\\{(.+)\\}$`);
    let cursor = '0';
    do {
      const [next, keys] = await this.redis.scan(cursor, 'MATCH', `${this.prefix}:lead:{*}`, 'COUNT', 1000);
      cursor = next;
      const leads = (await this.getLeads(keys.map((k) => leadKey.exec(k)?.[1]).filter((id): id is string => !!id))).filter((l) => !l.mergedInto);
      report.leads += leads.length;
      const add = this.redis.pipeline();
      for (const l of leads) {
        add.zadd(this.idx('all'), 'NX', l.createdAt, l.id).zadd(this.idx(`owner:${l.owner}`), 'NX', l.createdAt, l.id);
        add.sadd(this.idx(`state:${l.state}`), l.id).sadd(this.idx(`outcome:${l.outcome}`), l.id).zadd(this.idx('lastcust'), 'NX', l.createdAt, l.id);
        if (isManual(l) && isFollowedUp(l)) add.sadd(this.idx(`manual:${l.owner}`), l.id);
      }
      for (const [, n] of (await add.exec()) ?? []) report.added += typeof n === 'number' ? n : 0;
    } while (cursor !== '0');
    // 2. Every index entry: gone if its lead is gone, merged, or no longer has that owner, state or outcome. The leads
    // are read right before removing, so a lead that changed meanwhile keeps its new place.
    const owners = await this.owners();
    const lists: { key: string; keep: (l: Lead) => boolean }[] = [
      ...['all', 'lastcust', 'due'].map((name) => ({ key: this.idx(name), keep: () => true })),
      ...BUYING_STATES.map((st) => ({ key: this.idx(`state:${st}`), keep: (l: Lead) => l.state === st })),
      ...OUTCOMES.map((o) => ({ key: this.idx(`outcome:${o}`), keep: (l: Lead) => l.outcome === o })),
      ...owners.map((o) => ({ key: this.idx(`owner:${o}`), keep: (l: Lead) => l.owner === o })),
      ...owners.map((o) => ({ key: this.idx(`manual:${o}`), keep: (l: Lead) => l.owner === o && isManual(l) && isFollowedUp(l) })),
    ];
    for (const { key, keep } of lists) {
      const type = await this.redis.type(key);
      if (type !== 'zset' && type !== 'set') continue;
      let c = '0';
      do {
        const [next, raw] = type === 'zset' ? await this.redis.zscan(key, c, 'COUNT', 1000) : await this.redis.sscan(key, c, 'COUNT', 1000);
        c = next;
        const ids = type === 'zset' ? raw.filter((_, i) => i % 2 === 0) : raw;
        const found = new Map((await this.getLeads(ids)).map((l) => [l.id, l]));
        const stale = ids.filter((id) => {
          const l = found.get(id);
          return !l || !!l.mergedInto || !keep(l);
        });
        if (stale.length) report.removed += type === 'zset' ? await this.redis.zrem(key, ...stale) : await this.redis.srem(key, ...stale);
      } while (c !== '0');
    }
    return report;
  }

  /** How many leads are in each buying state and each outcome (index sizes; for metrics). */
  async countByStateAndOutcome(): Promise<{ state: Record<string, number>; outcome: Record<string, number> }> {
    const p = this.redis.pipeline();
    for (const st of BUYING_STATES) p.scard(this.idx(`state:${st}`));
    for (const o of OUTCOMES) p.scard(this.idx(`outcome:${o}`));
    const res = (await p.exec()) ?? [];
    for (const [err] of res) if (err) throw err;
    const n = (i: number) => Number(res[i]?.[1] ?? 0);
    return {
      state: Object.fromEntries(BUYING_STATES.map((st, i) => [st, n(i)])),
      outcome: Object.fromEntries(OUTCOMES.map((o, i) => [o, n(BUYING_STATES.length + i)])),
    };
  }

  /** A rep's open manual leads (the candidates for merging when a customer adds the rep on WeCom). */
  async manualLeadsOf(owner: string): Promise<Lead[]> {
    return this.getLeads(await this.redis.smembers(this.idx(`manual:${owner}`)));
  }

  async leadsOf(owner: string): Promise<Lead[]> {
    return this.getLeads(await this.redis.zrevrange(this.idx(`owner:${owner}`), 0, -1));
  }

  async owners(): Promise<string[]> {
    const owners = new Set<string>();
    let cursor = '0';
    const prefix = this.idx('owner:');
    do {
      const [next, keys] = await this.redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
      cursor = next;
      for (const k of keys) owners.add(k.slice(prefix.length));
    } while (cursor !== '0');
    return [...owners];
  }

  async getGroup(chatId: string): Promise<GroupRecord | undefined> {
    const raw = await this.redis.get(this.groupKey(chatId));
    return raw ? (JSON.parse(raw) as GroupRecord) : undefined;
  }

  async saveGroup(g: GroupRecord): Promise<void> {
    await this.redis.set(this.groupKey(g.chatId), JSON.stringify(g));
  }

  async getJoinCode(chatId: string): Promise<JoinCode | undefined> {
    const raw = await this.redis.get(`${this.groupKey(chatId)}:joincode`);
    return raw ? (JSON.parse(raw) as JoinCode) : undefined;
  }

  /** Keeps the first join code saved for a group and returns it (two workers racing end with the same one). */
  async saveJoinCode(chatId: string, code: JoinCode): Promise<JoinCode> {
    const key = `${this.groupKey(chatId)}:joincode`;
    const [[, set], [, raw]] = (await this.redis.multi().set(key, JSON.stringify(code), 'NX').get(key).exec()) as [[unknown, string | null], [unknown, string]];
    return set === 'OK' ? code : (JSON.parse(raw) as JoinCode);
  }

  /** Records which groups each customer is in now (replacing what the group said before). */
  async setGroupCustomers(chatId: string, before: string[], after: string[]): Promise<void> {
    const p = this.redis.pipeline();
    for (const c of before) if (!after.includes(c)) p.srem(`${this.prefix}:cust:${c}:groups`, chatId);
    for (const c of after) p.sadd(`${this.prefix}:cust:${c}:groups`, chatId);
    await p.exec();
  }

  async groupsOfCustomer(externalUserId: string): Promise<string[]> {
    return this.redis.smembers(`${this.prefix}:cust:${externalUserId}:groups`);
  }

  async setLastList(rep: string, ids: string[]): Promise<void> {
    const key = `${this.prefix}:rep:${rep}:last`;
    const p = this.redis.multi().del(key);
    if (ids.length) p.rpush(key, ...ids);
    await p.expire(key, 7 * 86400).exec();
  }

  async lastList(rep: string): Promise<string[]> {
    return this.redis.lrange(`${this.prefix}:rep:${rep}:last`, 0, -1);
  }

  /** Next check time for the nudge sweep (Infinity: never, until something changes). */
  async setDue(leadId: string, at: number): Promise<void> {
    if (Number.isFinite(at)) await this.redis.zadd(this.idx('due'), at, leadId);
    else await this.redis.zrem(this.idx('due'), leadId);
  }

  /** Lead ids whose next check is due, oldest first. */
  async dueLeads(now: number, limit: number): Promise<string[]> {
    return this.redis.zrangebyscore(this.idx('due'), '-inf', now, 'LIMIT', 0, limit);
  }
}
