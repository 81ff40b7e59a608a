import type { RedisClient } from './redis';
import type { GroupRecord, JoinCode, LedgerRepository, LeadQuery } from '../app/ports';
import type { Clock } from '../domain/clock';
import type { Lead } from '../domain/lead';
import type { TimelineEntry } from '../domain/timeline';
import { DueScheduleStore } from './ledger/due-schedule';
import { GroupStore } from './ledger/group-store';
import { LeadIndexes } from './ledger/indexes';
import { LedgerKeys } from './ledger/keys';
import { LeadStore } from './ledger/lead-store';
import { RepSessionStore } from './ledger/rep-sessions';

/**
 * The ledger's repositories over Redis, as one object for the composition roots: leads and timelines
 * (ledger/lead-store.ts), their indexes (ledger/indexes.ts, by the one rule in ledger/memberships.ts), groups
 * (ledger/group-store.ts), reps' last lists (ledger/rep-sessions.ts) and the sweep's schedule (ledger/due-schedule.ts).
 * Key layout: ledger/keys.ts and docs/data-model.md.
 */
export class LedgerStore implements LedgerRepository {
  private readonly leads: LeadStore;
  private readonly indexes: LeadIndexes;
  private readonly groups: GroupStore;
  private readonly sessions: RepSessionStore;
  private readonly schedule: DueScheduleStore;

  constructor(redis: RedisClient, prefix: string, clock: Clock = { now: () => Date.now() }) {
    const keys = new LedgerKeys(prefix);
    this.indexes = new LeadIndexes(redis, keys, (ids) => this.leads.getLeads(ids));
    this.leads = new LeadStore(redis, keys, this.indexes, clock);
    this.groups = new GroupStore(redis, keys);
    this.sessions = new RepSessionStore(redis, keys);
    this.schedule = new DueScheduleStore(redis, keys);
  }

  // Leads and timelines
  getLead = (id: string) => this.leads.getLead(id);
  getLeads = (ids: string[]) => this.leads.getLeads(ids);
  updateLead = (id: string, change: (current: Lead | undefined) => Lead | undefined, entries?: TimelineEntry[]) => this.leads.updateLead(id, change, entries);
  updateCustomerLead = (id: string, change: (current: Lead | undefined) => Lead | undefined, entries?: TimelineEntry[]) =>
    this.leads.updateCustomerLead(id, change, entries);
  updateIfNewer<K extends keyof Lead['stamps']>(id: string, stamp: K, at: number, apply: (l: Lead) => void) {
    return this.leads.updateIfNewer(id, stamp, at, apply);
  }
  addEntry = (leadId: string, entry: TimelineEntry) => this.leads.addEntry(leadId, entry);
  addEntries = (leadId: string, entries: TimelineEntry[]) => this.leads.addEntries(leadId, entries);
  getTimeline = (leadId: string) => this.leads.getTimeline(leadId);
  amendEntry = (leadId: string, entryId: string, patch: Pick<TimelineEntry, 'minutes' | 'outcome'>) => this.leads.amendEntry(leadId, entryId, patch);
  loadMany = (ids: string[]) => this.leads.loadMany(ids);
  recordMany = (entries: { leadId: string; entry: TimelineEntry }[], due: { leadId: string; at: number }[]) => this.leads.recordMany(entries, due);
  bulkLoad = (items: { lead: Lead; entries: TimelineEntry[] }[]) => this.leads.bulkLoad(items);

  // Indexes
  queryLeads = (q: LeadQuery) => this.indexes.queryLeads(q);
  leadsOf = (owner: string) => this.indexes.leadsOf(owner);
  manualLeadsOf = (owner: string) => this.indexes.manualLeadsOf(owner);
  owners = () => this.indexes.owners();
  countByStateAndOutcome = () => this.indexes.countByStateAndOutcome();
  repairIndexes = () => this.indexes.repairIndexes();
  migrateLegacyIndexes = () => this.indexes.migrateLegacy();

  // Groups
  getGroup = (chatId: string) => this.groups.getGroup(chatId);
  saveGroup = (g: GroupRecord) => this.groups.saveGroup(g);
  updateGroup = (chatId: string, change: (current: GroupRecord | undefined) => GroupRecord | undefined) => this.groups.updateGroup(chatId, change);
  getJoinCode = (chatId: string) => this.groups.getJoinCode(chatId);
  saveJoinCode = (chatId: string, code: JoinCode) => this.groups.saveJoinCode(chatId, code);
  setGroupCustomers = (chatId: string, before: string[], after: string[], leads: string[]) => this.groups.setGroupCustomers(chatId, before, after, leads);
  groupsOfCustomer = (externalUserId: string) => this.groups.groupsOfCustomer(externalUserId);

  // Reps' last lists and the sweep's schedule
  setLastList = (rep: string, ids: string[]) => this.sessions.setLastList(rep, ids);
  lastList = (rep: string) => this.sessions.lastList(rep);
  setPending = (rep: string, command: string) => this.sessions.setPending(rep, command);
  takePending = (rep: string) => this.sessions.takePending(rep);
  setDue = (leadId: string, at: number) => this.schedule.setDue(leadId, at);
  dueLeads = (now: number, limit: number) => this.schedule.dueLeads(now, limit);
}
