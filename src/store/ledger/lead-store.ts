import type { RedisClient } from '../redis';
import { defineScript, pipeline } from '../pipeline';
import type { LeadRepository } from '../../app/ports';
import type { Clock } from '../../domain/clock';
import { setIfNewer, type Lead } from '../../domain/lead';
import { isCustomerTouch } from '../../domain/metrics';
import type { TimelineEntry } from '../../domain/timeline';
import type { LeadIndexes } from './indexes';
import { CAS_SCRIPT } from './cas';
import type { LedgerKeys } from './keys';

const ADD_ENTRY = `
if redis.call('HSETNX', KEYS[2], ARGV[1], ARGV[3]) == 1 then
  redis.call('ZADD', KEYS[1], ARGV[2], ARGV[1])
  return 1
end
return 0`;

/** Compare-and-set of one hash field (a timeline entry amended after the fact). */
const HASH_CAS = `
if (redis.call('HGET', KEYS[1], ARGV[1]) or '') == ARGV[2] then
  redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
  return 1
end
return 0`;

interface LedgerCommands {
  ledgerHashCas(key: string, field: string, expected: string, next: string): Promise<number>;
  ledgerAddEntry(tl: string, tle: string, id: string, at: number, json: string): Promise<number>;
  ledgerCas(key: string, expected: string, next: string): Promise<number>;
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
    defineScript(redis, 'ledgerAddEntry', ADD_ENTRY, 2);
    defineScript(redis, 'ledgerCas', CAS_SCRIPT, 1);
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

  async updateLead(id: string, change: (current: Lead | undefined) => Lead | undefined): Promise<{ before?: Lead; after?: Lead }> {
    const key = this.keys.lead(id);
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

  updateIfNewer<K extends keyof Lead['stamps']>(id: string, stamp: K, at: number, apply: (l: Lead) => void): Promise<{ before?: Lead; after?: Lead }> {
    return this.updateLead(id, (cur) => {
      if (cur) setIfNewer(cur, stamp, at, apply);
      return cur;
    });
  }

  private async reindex(before: Lead | undefined, after: Lead): Promise<void> {
    const p = pipeline(this.redis);
    this.indexes.reindex(p, before, after, this.clock.now());
    await p.exec();
  }

  async addEntry(leadId: string, entry: TimelineEntry): Promise<boolean> {
    const added = (await this.redis.ledgerAddEntry(this.keys.timeline(leadId), this.keys.entries(leadId), entry.id, entry.at, JSON.stringify(entry))) === 1;
    if (added) {
      const p = pipeline(this.redis);
      if (isCustomerTouch(entry)) p.zadd(this.keys.idx('lastcust'), 'GT', String(entry.at), leadId);
      if (entry.kind !== 'nudge_sent') p.zadd(this.keys.idx('due'), 'LT', String(this.clock.now()), leadId);
      p.sadd(this.keys.boardPending(), leadId);
      await p.exec();
    }
    return added;
  }

  async addEntries(leadId: string, entries: TimelineEntry[]): Promise<boolean[]> {
    if (entries.length === 0) return [];
    const p = pipeline(this.redis) as ReturnType<RedisClient['pipeline']> & {
      ledgerAddEntry(tl: string, tle: string, id: string, at: number, json: string): unknown;
    };
    for (const e of entries) p.ledgerAddEntry(this.keys.timeline(leadId), this.keys.entries(leadId), e.id, e.at, JSON.stringify(e));
    // Index marks are idempotent (GT / LT), so they ride in the same round trip whether or not an entry was new.
    const touch = entries.filter(isCustomerTouch).reduce((m, e) => Math.max(m, e.at), Number.NEGATIVE_INFINITY);
    if (touch > Number.NEGATIVE_INFINITY) p.zadd(this.keys.idx('lastcust'), 'GT', String(touch), leadId);
    if (entries.some((e) => e.kind !== 'nudge_sent')) p.zadd(this.keys.idx('due'), 'LT', String(this.clock.now()), leadId);
    p.sadd(this.keys.boardPending(), leadId);
    const res = (await p.exec()) ?? [];
    return entries.map((_, i) => {
      const [err, added] = res[i] ?? [new Error('no reply'), 0];
      if (err) throw err;
      return added === 1;
    });
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
    for (const { leadId, entry } of entries)
      (p as unknown as LedgerCommands).ledgerAddEntry(this.keys.timeline(leadId), this.keys.entries(leadId), entry.id, entry.at, JSON.stringify(entry));
    // The due index is one key: one ZADD and one ZREM for the whole batch.
    const next = due.filter((d) => Number.isFinite(d.at)).flatMap((d) => [d.at, d.leadId]);
    const gone = due.filter((d) => !Number.isFinite(d.at)).map((d) => d.leadId);
    if (next.length) p.zadd(this.keys.idx('due'), ...next);
    if (gone.length) p.zrem(this.keys.idx('due'), ...gone);
    if (entries.length) p.sadd(this.keys.boardPending(), ...new Set(entries.map((e) => e.leadId)));
    const res = (await p.exec()) ?? [];
    return entries.map((_, i) => res[i]?.[1] === 1);
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
