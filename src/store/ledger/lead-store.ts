import { Cluster } from 'ioredis';
import type { RedisClient } from '../redis';
import { defineScript, pipeline } from '../pipeline';
import { LastSeen } from './cas';
import { applyIndexOpsLua, IndexOps } from './indexes';
import type { LeadRepository } from '../../app/ports';
import type { Clock } from '../../domain/clock';
import { setIfNewer, type Lead } from '../../domain/lead';
import { isCustomerTouch } from '../../domain/metrics';
import type { TimelineEntry } from '../../domain/timeline';
import type { LeadIndexes } from './indexes';
import { membershipsOf } from './memberships';
import type { LedgerKeys } from './keys';

/**
 * One write of a lead, atomic: the lead by compare-and-set, its new timeline entries added once each and, on a single
 * Redis, its index writes with them. KEYS = lead, timeline, entries, then the index keys (none on a Redis Cluster,
 * where the indexes live in another slot and are written by a command of their own), then optionally a set to read;
 * ARGV = what the lead was expected to be ('' for absent), the new value ('' to leave it as expected), '1' to
 * compare-and-set ('0': entries only, the lead not looked at), the number of entry arguments, the KEYS position of the
 * set to read after the write ('0': none), then id, time, JSON per entry, then the index ops (applyIndexOpsLua).
 * Answers {-1, what the lead is} when it is not what was expected (nothing written), else {1, added..., members...}
 * (1 new, 0 already there, per entry; then the set's members).
 */
const WRITE_LEAD = `
if ARGV[3] == '1' then
  local cur = redis.call('GET', KEYS[1]) or ''
  if cur ~= ARGV[1] then return {-1, cur} end
  if ARGV[2] ~= '' and ARGV[2] ~= cur then redis.call('SET', KEYS[1], ARGV[2]) end
end
local out = {1}
for i = 6, 5 + tonumber(ARGV[4]), 3 do
  if redis.call('HSETNX', KEYS[3], ARGV[i], ARGV[i + 2]) == 1 then
    redis.call('ZADD', KEYS[2], ARGV[i + 1], ARGV[i])
    out[#out + 1] = 1
  else
    out[#out + 1] = 0
  end
end
${applyIndexOpsLua('3', '6 + tonumber(ARGV[4])')}
if ARGV[5] ~= '0' then
  for _, member in ipairs(redis.call('SMEMBERS', KEYS[tonumber(ARGV[5])])) do out[#out + 1] = member end
end
return out`;

/**
 * Timeline entries of many leads at once, with their index writes: the sweep's record of the nudges it sent, on a
 * single Redis (on a cluster the leads are in different slots: one WRITE_LEAD each). KEYS = timeline, entries of
 * each entry's lead in turn, then the index keys; ARGV = the number of entries, id, time, JSON per entry, then the
 * index ops (applyIndexOpsLua). Answers 1 (new) or 0 (already there) per entry.
 */
const RECORD_ENTRIES = `
local n = tonumber(ARGV[1])
local out = {}
for k = 1, n do
  local a = 2 + (k - 1) * 3
  if redis.call('HSETNX', KEYS[2 * k], ARGV[a], ARGV[a + 2]) == 1 then
    redis.call('ZADD', KEYS[2 * k - 1], ARGV[a + 1], ARGV[a])
    out[k] = 1
  else
    out[k] = 0
  end
end
${applyIndexOpsLua('2 * n', '2 + 3 * n')}
return out`;

/** Whether a write from `before` to `after` leaves the lead in the same indexes with the same owner (so only "due now" changes). */
function sameMemberships(before: Lead | undefined, after: Lead): boolean {
  if (!before || before.owner !== after.owner || !!before.mergedInto !== !!after.mergedInto) return false;
  const names = (l: Lead) =>
    membershipsOf(l)
      .ordered.map((o) => `${o.name}@${o.score}`)
      .join('|');
  return names(before) === names(after);
}

/** WRITE_LEAD's arguments for timeline entries: id, time, JSON each. */
const entryArgs = (entries: TimelineEntry[]) => entries.flatMap((e) => [e.id, e.at, JSON.stringify(e)]);

/** Compare-and-set of one hash field (a timeline entry amended after the fact). */
const HASH_CAS = `
if (redis.call('HGET', KEYS[1], ARGV[1]) or '') == ARGV[2] then
  redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
  return 1
end
return 0`;

interface LedgerCommands {
  /** WRITE_LEAD: the number of keys, the keys, then ARGV. */
  ledgerWriteLead(...args: (string | number)[]): Promise<[-1, string] | (number | string)[]>;
  ledgerHashCas(key: string, field: string, expected: string, next: string): Promise<number>;
  /** RECORD_ENTRIES: the number of keys, the keys, then ARGV. */
  ledgerRecordEntries(...args: (string | number)[]): Promise<number[]>;
}

/** Leads by compare-and-set and their timelines (LeadRepository over Redis); each write re-indexes its lead. */
export class LeadStore implements LeadRepository {
  private readonly redis: RedisClient & LedgerCommands;
  private readonly seen = new LastSeen();
  /** On a Redis Cluster the index writes are a command of their own (another slot); on a single Redis, part of the lead's. */
  private readonly cluster: boolean;

  constructor(
    redis: RedisClient,
    private readonly keys: LedgerKeys,
    private readonly indexes: LeadIndexes,
    private readonly clock: Clock,
  ) {
    defineScript(redis, 'ledgerWriteLead', WRITE_LEAD);
    this.cluster = redis instanceof Cluster;
    defineScript(redis, 'ledgerHashCas', HASH_CAS, 1);
    defineScript(redis, 'ledgerRecordEntries', RECORD_ENTRIES);
    this.redis = redis as RedisClient & LedgerCommands;
  }

  async getLead(id: string): Promise<Lead | undefined> {
    const key = this.keys.lead(id);
    const raw = (await this.redis.get(key)) ?? '';
    this.seen.set(key, raw);
    return raw ? (JSON.parse(raw) as Lead) : undefined;
  }

  async getLeads(ids: string[]): Promise<Lead[]> {
    const raws = await this.rawLeads(ids);
    ids.forEach((id, i) => this.seen.set(this.keys.lead(id), raws[i] ?? ''));
    return raws.filter((v): v is string => !!v).map((v) => JSON.parse(v) as Lead);
  }

  /** The leads' JSON, in order (null where absent): one MGET on a single Redis; one GET each on a cluster (other slots). */
  private async rawLeads(ids: string[]): Promise<(string | null)[]> {
    if (ids.length === 0) return [];
    const keys = ids.map((id) => this.keys.lead(id));
    if (!this.cluster) return this.redis.mget(...keys);
    const p = pipeline(this.redis);
    for (const key of keys) p.get(key);
    return ((await p.exec()) ?? []).map(([err, v]) => {
      if (err) throw err;
      return v as string | null;
    });
  }

  /**
   * Change, write, index: the change is applied to the lead as this process last saw it (absent if never), and one
   * script checks that is still current, writes the lead, adds its new entries and — on a single Redis — applies its
   * index writes and board mark; when another write got there first, the script answers the current lead and the
   * change is applied again to that. On a cluster the index writes follow as a command on the {idx} slot. One round
   * trip in the common case (two on a cluster), one more after a conflict. An unchanged lead (a retry of a write
   * already done) still has its entries added and its indexes written in full (idempotent), so a retry repairs what a
   * crash between the two left out. `readAfter`: a set whose members are answered as of right after the write.
   */
  async updateLead(
    id: string,
    change: (current: Lead | undefined) => Lead | undefined,
    entries: TimelineEntry[] = [],
    readAfter?: string,
  ): Promise<{ before?: Lead; after?: Lead; added: boolean[]; members?: string[] }> {
    const key = this.keys.lead(id);
    let raw = this.seen.get(key);
    for (let attempt = 0; attempt < 50; attempt++) {
      const before = raw ? (JSON.parse(raw) as Lead) : undefined;
      const changed = change(raw ? (JSON.parse(raw) as Lead) : undefined);
      const next = changed ? JSON.stringify(changed) : raw;
      const written = next !== raw;
      const after = written ? changed : before;
      // No lead, before or after: the check only (entries belong to a lead, and so do index writes).
      const ops = after ? this.indexOps(id, written && sameMemberships(before, after) ? undefined : { before, after }, entries, after) : new IndexOps();
      const res = await this.write(id, raw, written ? next : '', '1', after ? entries : [], ops, readAfter);
      if (res[0] === -1) {
        raw = String(res[1]);
        continue;
      }
      this.seen.set(key, next);
      if (this.cluster) await this.writeIndexes(id, ops);
      const added = entries.map((_, i) => res[i + 1] === 1);
      if (readAfter === undefined) return { before, after, added };
      // Read after the write: in the same script on a single Redis; a command of its own on a cluster (another slot).
      const members = this.cluster ? await this.redis.smembers(readAfter) : res.slice(1 + (after ? entries.length : 0)).map(String);
      return { before, after, added, members };
    }
    throw new Error(`lead ${id}: too much contention`);
  }

  /** One WRITE_LEAD call (see writeArgs). */
  private write(...args: Parameters<LeadStore['writeArgs']>): Promise<[-1, string] | (number | string)[]> {
    return this.redis.ledgerWriteLead(...this.writeArgs(...args));
  }

  /**
   * WRITE_LEAD's arguments: with the index ops and the read of `readAfter` on a single Redis; without them on a
   * cluster (see writeIndexes and updateLead).
   */
  private writeArgs(
    id: string,
    expected: string,
    next: string,
    cas: '0' | '1',
    entries: TimelineEntry[],
    ops: IndexOps,
    readAfter?: string,
  ): (string | number)[] {
    const args = entryArgs(entries);
    const indexed = !this.cluster && !ops.empty;
    const indexKeys = indexed ? ops.keys : [];
    const read = !this.cluster && readAfter !== undefined ? [readAfter] : [];
    return [
      3 + indexKeys.length + read.length,
      this.keys.lead(id),
      this.keys.timeline(id),
      this.keys.entries(id),
      ...indexKeys,
      ...read,
      expected,
      next,
      cas,
      args.length,
      read.length ? 4 + indexKeys.length : 0,
      ...args,
      ...(indexed ? ops.argv : []),
    ];
  }

  async updateCustomerLead(
    id: string,
    change: (current: Lead | undefined) => Lead | undefined,
    entries?: TimelineEntry[],
  ): Promise<{ before?: Lead; after?: Lead; added: boolean[]; groups: string[] }> {
    const { members, ...res } = await this.updateLead(id, change, entries, this.keys.customerGroups(id));
    return { ...res, groups: members ?? [] };
  }

  updateIfNewer<K extends keyof Lead['stamps']>(id: string, stamp: K, at: number, apply: (l: Lead) => void): Promise<{ before?: Lead; after?: Lead }> {
    return this.updateLead(id, (cur) => {
      if (cur) setIfNewer(cur, stamp, at, apply);
      return cur;
    });
  }

  /**
   * The index writes of one lead write and the board's pending mark. `change` is the lead's whole re-index; without
   * it (a write that left every membership as it was) the lead is only due now. A retry of a write already done always
   * re-indexes in full, which on a cluster repairs what a crash between the lead's write and the index write left out
   * (and the nightly repair catches the rest).
   */
  private indexOps(id: string, change: { before?: Lead; after: Lead } | undefined, newEntries: TimelineEntry[], lead?: Lead): IndexOps {
    const ops = new IndexOps();
    const now = this.clock.now();
    if (change) this.indexes.reindex(ops, change.before, change.after, now);
    else if (lead && !lead.mergedInto) this.indexes.dueNow(ops, id, now);
    this.indexes.entriesAdded(ops, id, newEntries, now);
    // The board's pending mark: on a single Redis one more op of the lead's write; on a cluster (another slot than the
    // indexes) a command of its own, in writeIndexes.
    if (!ops.empty && !this.cluster) ops.sadd(this.keys.boardPending(), id);
    return ops;
  }

  /**
   * On a Redis Cluster, the index writes of a lead write, after it: one command on the {idx} slot, and the board's
   * pending mark on its own slot (the two in flight together).
   */
  private async writeIndexes(id: string, ops: IndexOps): Promise<void> {
    if (ops.empty) return;
    const p = pipeline(this.redis);
    this.indexes.flush(p, ops);
    p.sadd(this.keys.boardPending(), id);
    for (const [err] of (await p.exec()) ?? []) if (err) throw err;
  }

  async addEntry(leadId: string, entry: TimelineEntry): Promise<boolean> {
    return (await this.addEntries(leadId, [entry]))[0] ?? false;
  }

  /** Entries of one lead and their index marks (idempotent, so a retry repairs them): one script on a single Redis. */
  async addEntries(leadId: string, entries: TimelineEntry[]): Promise<boolean[]> {
    if (entries.length === 0) return [];
    const ops = this.indexOps(leadId, undefined, entries);
    const res = await this.write(leadId, '', '', '0', entries, ops);
    if (this.cluster) await this.writeIndexes(leadId, ops);
    return entries.map((_, i) => res[i + 1] === 1);
  }

  async amendEntry(leadId: string, entryId: string, patch: Pick<TimelineEntry, 'minutes' | 'outcome'>): Promise<boolean> {
    const key = this.keys.entries(leadId);
    for (let attempt = 0; attempt < 20; attempt++) {
      const raw = await this.redis.hget(key, entryId);
      if (!raw) return false;
      const next = JSON.stringify({ ...(JSON.parse(raw) as TimelineEntry), ...patch });
      if (next === raw || (await this.redis.ledgerHashCas(key, entryId, raw, next)) === 1) return true;
    }
    throw new Error(`entry ${entryId}: too much contention`);
  }

  /** The entries in time order, as the timeline's sorted set orders them (ties by id). */
  async getTimeline(leadId: string): Promise<TimelineEntry[]> {
    const ids = await this.redis.zrange(this.keys.timeline(leadId), '0', '-1');
    if (ids.length === 0) return [];
    const raws = await this.redis.hmget(this.keys.entries(leadId), ...ids);
    return raws.filter((r): r is string => !!r).map((r) => JSON.parse(r) as TimelineEntry);
  }

  async loadMany(ids: string[]): Promise<{ id: string; lead?: Lead; timeline: TimelineEntry[] }[]> {
    if (ids.length === 0) return [];
    const p = pipeline(this.redis);
    for (const id of ids) p.hvals(this.keys.entries(id));
    const [raws, timelines] = await Promise.all([this.rawLeads(ids), p.exec()]);
    for (const [err] of timelines ?? []) if (err) throw err;
    return ids.map((id, i) => {
      const raw = raws[i];
      const entries = ((timelines?.[i]?.[1] as string[] | null) ?? []).map((e) => JSON.parse(e) as TimelineEntry).sort(byTimelineOrder);
      return { id, lead: raw ? (JSON.parse(raw) as Lead) : undefined, timeline: entries };
    });
  }

  /**
   * The sweep's record: one entry per lead, the leads' next check times (Infinity: off the due index) and their board
   * marks. On a single Redis all of it is one script; on a cluster one lead-write script per lead (each in its own
   * slot), then the due index's writes on the {idx} slot and the board marks.
   */
  async recordMany(entries: { leadId: string; entry: TimelineEntry }[], due: { leadId: string; at: number }[]): Promise<boolean[]> {
    const ops = new IndexOps();
    for (const d of due) {
      if (Number.isFinite(d.at)) ops.zadd('set', this.keys.idx('due'), d.at, d.leadId);
      else ops.zrem(this.keys.idx('due'), d.leadId);
    }
    const marked = [...new Set(entries.map((e) => e.leadId))];
    if (!this.cluster) {
      for (const leadId of marked) ops.sadd(this.keys.boardPending(), leadId);
      if (entries.length === 0 && ops.empty) return [];
      const keys = entries.flatMap(({ leadId }) => [this.keys.timeline(leadId), this.keys.entries(leadId)]);
      const res = await this.redis.ledgerRecordEntries(
        keys.length + ops.keys.length,
        ...keys,
        ...ops.keys,
        entries.length,
        ...entryArgs(entries.map((e) => e.entry)),
        ...ops.argv,
      );
      return entries.map((_, i) => res[i] === 1);
    }
    const p = pipeline(this.redis);
    const none = new IndexOps();
    for (const { leadId, entry } of entries) (p as unknown as LedgerCommands).ledgerWriteLead(...this.writeArgs(leadId, '', '', '0', [entry], none));
    this.indexes.flush(p, ops);
    if (marked.length) p.sadd(this.keys.boardPending(), ...marked);
    const res = (await p.exec()) ?? [];
    for (const [err] of res) if (err) throw err;
    return entries.map((_, i) => (res[i]?.[1] as number[] | null)?.[1] === 1);
  }

  async bulkLoad(items: { lead: Lead; entries: TimelineEntry[] }[]): Promise<void> {
    const p = pipeline(this.redis);
    for (const { lead, entries } of items) {
      p.set(this.keys.lead(lead.id), JSON.stringify(lead));
      for (const e of entries) {
        p.hset(this.keys.entries(lead.id), e.id, JSON.stringify(e));
        p.zadd(this.keys.timeline(lead.id), e.at, e.id);
      }
      this.indexes.load(
        p,
        lead,
        entries.filter(isCustomerTouch).reduce((m, e) => Math.max(m, e.at), lead.createdAt),
      );
    }
    await p.exec();
  }
}

/** The timeline's sorted-set order: by time, ties by id (the set's members); for entries read without the set. */
function byTimelineOrder(a: TimelineEntry, b: TimelineEntry): number {
  return a.at - b.at || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}
