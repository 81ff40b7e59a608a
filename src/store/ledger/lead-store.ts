import type { RedisClient } from '../redis';
import { defineScript, pipeline } from '../pipeline';
import { IndexOps } from './indexes';
import type { LeadRepository } from '../../app/ports';
import type { Clock } from '../../domain/clock';
import { setIfNewer, type Lead } from '../../domain/lead';
import { isCustomerTouch } from '../../domain/metrics';
import type { TimelineEntry } from '../../domain/timeline';
import type { LeadIndexes } from './indexes';
import type { LedgerKeys } from './keys';

/**
 * One write of a lead, atomic on its slot: the lead by compare-and-set and timeline entries added once each.
 * KEYS = lead, timeline, entries; ARGV = what was read ('' for absent), the new value ('' to leave the lead as it is),
 * then id, time, JSON per entry. Answers {-1} when the lead changed since it was read, else {1, added...} (1 new, 0
 * already there, per entry).
 */
const WRITE_LEAD = `
if ARGV[2] ~= '' then
  if (redis.call('GET', KEYS[1]) or '') ~= ARGV[1] then return {-1} end
  redis.call('SET', KEYS[1], ARGV[2])
end
local out = {1}
for i = 3, #ARGV, 3 do
  if redis.call('HSETNX', KEYS[3], ARGV[i], ARGV[i + 2]) == 1 then
    redis.call('ZADD', KEYS[2], ARGV[i + 1], ARGV[i])
    out[#out + 1] = 1
  else
    out[#out + 1] = 0
  end
end
return out`;

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
  ledgerWriteLead(lead: string, tl: string, tle: string, expected: string, next: string, ...entries: (string | number)[]): Promise<number[]>;
  ledgerHashCas(key: string, field: string, expected: string, next: string): Promise<number>;
}

/** Leads by compare-and-set and their timelines (LeadRepository over Redis); each write re-indexes its lead. */
export class LeadStore implements LeadRepository {
  private readonly redis: RedisClient & LedgerCommands;

  constructor(
    redis: RedisClient,
    private readonly keys: LedgerKeys,
    private readonly indexes: LeadIndexes,
    private readonly clock: Clock,
  ) {
    defineScript(redis, 'ledgerWriteLead', WRITE_LEAD, 3);
    defineScript(redis, 'ledgerHashCas', HASH_CAS, 1);
    this.redis = redis as RedisClient & LedgerCommands;
  }

  async getLead(id: string): Promise<Lead | undefined> {
    const raw = await this.redis.get(this.keys.lead(id));
    return raw ? (JSON.parse(raw) as Lead) : undefined;
  }

  async getLeads(ids: string[]): Promise<Lead[]> {
    if (ids.length === 0) return [];
    const pipe = pipeline(this.redis);
    for (const id of ids) pipe.get(this.keys.lead(id));
    const res = (await pipe.exec()) ?? [];
    return res.map(([, v]) => (typeof v === 'string' ? (JSON.parse(v) as Lead) : undefined)).filter((l): l is Lead => !!l);
  }

  /**
   * Read, change, write: one GET, one script on the lead's slot (the lead by compare-and-set and its new entries),
   * one command on the index slot (indexes.ts) next to the board's pending mark — three round trips whatever the
   * change. An unchanged lead (a retry of a write already done) still has its entries added and its indexes written
   * (idempotent), so a retry repairs what a crash between the two left out.
   */
  async updateLead(
    id: string,
    change: (current: Lead | undefined) => Lead | undefined,
    entries: TimelineEntry[] = [],
  ): Promise<{ before?: Lead; after?: Lead; added: boolean[] }> {
    const key = this.keys.lead(id);
    const args = entryArgs(entries);
    for (let attempt = 0; attempt < 50; attempt++) {
      const raw = (await this.redis.get(key)) ?? '';
      const before = raw ? (JSON.parse(raw) as Lead) : undefined;
      const after = change(raw ? (JSON.parse(raw) as Lead) : undefined) ?? before;
      if (!after) return { before, after: before, added: entries.map(() => false) };
      const next = JSON.stringify(after);
      const res = await this.redis.ledgerWriteLead(key, this.keys.timeline(id), this.keys.entries(id), raw, next === raw ? '' : next, ...args);
      if (res[0] === -1) continue;
      const added = entries.map((_, i) => res[i + 1] === 1);
      // Every entry's marks, new or not (GT / LT: idempotent), so a retry repairs marks a crash left out.
      await this.index(id, before, next === raw ? before : after, entries);
      return { before, after: next === raw ? before : after, added };
    }
    throw new Error(`lead ${id}: too much contention`);
  }

  updateIfNewer<K extends keyof Lead['stamps']>(id: string, stamp: K, at: number, apply: (l: Lead) => void): Promise<{ before?: Lead; after?: Lead }> {
    return this.updateLead(id, (cur) => {
      if (cur) setIfNewer(cur, stamp, at, apply);
      return cur;
    });
  }

  /** The index writes of one lead write (one command on the {idx} slot) and the board's pending mark, together. */
  private async index(id: string, before: Lead | undefined, after: Lead | undefined, newEntries: TimelineEntry[]): Promise<void> {
    const ops = new IndexOps();
    const now = this.clock.now();
    if (after) this.indexes.reindex(ops, before, after, now);
    this.indexes.entriesAdded(ops, id, newEntries, now);
    if (ops.empty) return;
    const p = pipeline(this.redis);
    this.indexes.flush(p, ops);
    p.sadd(this.keys.boardPending(), id);
    for (const [err] of (await p.exec()) ?? []) if (err) throw err;
  }

  async addEntry(leadId: string, entry: TimelineEntry): Promise<boolean> {
    return (await this.addEntries(leadId, [entry]))[0] ?? false;
  }

  /** Entries of one lead: one script on its slot, then their index marks (idempotent, so a retry repairs them). */
  async addEntries(leadId: string, entries: TimelineEntry[]): Promise<boolean[]> {
    if (entries.length === 0) return [];
    const res = await this.redis.ledgerWriteLead(...this.entriesOnly(leadId, entries));
    await this.index(leadId, undefined, undefined, entries);
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

  async getTimeline(leadId: string): Promise<TimelineEntry[]> {
    const ids = await this.redis.zrange(this.keys.timeline(leadId), '0', '-1');
    if (ids.length === 0) return [];
    const raws = await this.redis.hmget(this.keys.entries(leadId), ...ids);
    return raws.filter((r): r is string => !!r).map((r) => JSON.parse(r) as TimelineEntry);
  }

  async loadMany(ids: string[]): Promise<{ id: string; lead?: Lead; timeline: TimelineEntry[] }[]> {
    if (ids.length === 0) return [];
    const p = pipeline(this.redis);
    for (const id of ids) p.get(this.keys.lead(id)).hvals(this.keys.entries(id));
    const res = (await p.exec()) ?? [];
    return ids.map((id, i) => {
      const raw = res[2 * i]?.[1] as string | null;
      const entries = ((res[2 * i + 1]?.[1] as string[] | null) ?? []).map((e) => JSON.parse(e) as TimelineEntry).sort((a, b) => a.at - b.at);
      return { id, lead: raw ? (JSON.parse(raw) as Lead) : undefined, timeline: entries };
    });
  }

  async recordMany(entries: { leadId: string; entry: TimelineEntry }[], due: { leadId: string; at: number }[]): Promise<boolean[]> {
    const p = pipeline(this.redis);
    for (const { leadId, entry } of entries) (p as unknown as LedgerCommands).ledgerWriteLead(...this.entriesOnly(leadId, [entry]));
    // The due index is one key: one ZADD and one ZREM for the whole batch.
    const next = due.filter((d) => Number.isFinite(d.at)).flatMap((d) => [d.at, d.leadId]);
    const gone = due.filter((d) => !Number.isFinite(d.at)).map((d) => d.leadId);
    if (next.length) p.zadd(this.keys.idx('due'), ...next);
    if (gone.length) p.zrem(this.keys.idx('due'), ...gone);
    if (entries.length) p.sadd(this.keys.boardPending(), ...new Set(entries.map((e) => e.leadId)));
    const res = (await p.exec()) ?? [];
    return entries.map((_, i) => (res[i]?.[1] as number[] | null)?.[1] === 1);
  }

  /** WRITE_LEAD's arguments for entries alone (the lead left as it is). */
  private entriesOnly(leadId: string, entries: TimelineEntry[]): Parameters<LedgerCommands['ledgerWriteLead']> {
    return [this.keys.lead(leadId), this.keys.timeline(leadId), this.keys.entries(leadId), '', '', ...entryArgs(entries)];
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
