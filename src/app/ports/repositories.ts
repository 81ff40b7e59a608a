import type { BuyingState, Lead, Outcome } from '../../domain/lead';
import type { NudgeKind } from '../../domain/nudge-policy';
import type { TimelineEntry } from '../../domain/timeline';

/** The ledger's repositories: src/store implements them over Redis; test/support has in-memory fakes. */

/** A customer group's QR join code (add_join_way scene 2 + get_join_way). */
export interface JoinCode {
  configId: string;
  qrCode: string;
}

/** A customer group as the ledger keeps it. */
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

/** Leads and their timelines. Every write is idempotent; a lead's indexes follow its writes (LeadQueries). */
export interface LeadRepository {
  getLead(id: string): Promise<Lead | undefined>;
  getLeads(ids: string[]): Promise<Lead[]>;
  /**
   * Read-modify-write of one lead, optimistic (compare-and-set, retried on conflict). `change` gets a copy and returns
   * the new lead, or undefined to leave it; creates the lead when it returns one for an absent id. `entries` are
   * appended to the lead's timeline in the same atomic write (as addEntries would; not when `change` leaves no lead);
   * `added` says which were new, in order.
   */
  updateLead(
    id: string,
    change: (current: Lead | undefined) => Lead | undefined,
    entries?: TimelineEntry[],
  ): Promise<{ before?: Lead; after?: Lead; added?: boolean[] }>;
  /**
   * updateLead for a WeCom customer's lead (id = external_userid), answering also the groups the customer is in as of
   * right after the write (in the same script on a single Redis): a lead that arrives after its groups is bound to them.
   */
  updateCustomerLead(
    id: string,
    change: (current: Lead | undefined) => Lead | undefined,
    entries?: TimelineEntry[],
  ): Promise<{ before?: Lead; after?: Lead; added?: boolean[]; groups: string[] }>;
  /** Last-writer-wins update of an existing lead: applied only if nothing newer already set that field. */
  updateIfNewer<K extends keyof Lead['stamps']>(id: string, stamp: K, at: number, apply: (l: Lead) => void): Promise<{ before?: Lead; after?: Lead }>;
  /** Appends an entry; a second append of the same id is a no-op (returns false). */
  addEntry(leadId: string, entry: TimelineEntry): Promise<boolean>;
  /** Several entries of one lead in one round trip, each as addEntry would; answers which were new, in order. */
  addEntries(leadId: string, entries: TimelineEntry[]): Promise<boolean[]>;
  getTimeline(leadId: string): Promise<TimelineEntry[]>;
  /**
   * Completes an entry already on the timeline (a call's minutes and outcome, given after the fact); false when there
   * is no such entry. Fields given replace the entry's; its id, time and kind stay.
   */
  amendEntry(leadId: string, entryId: string, patch: Pick<TimelineEntry, 'minutes' | 'outcome'>): Promise<boolean>;
  /** Leads and their timelines at once (the sweep reads a batch at a time). */
  loadMany(ids: string[]): Promise<{ id: string; lead?: Lead; timeline: TimelineEntry[] }[]>;
  /** Many entries and next-check times at once; answers, per entry, whether it was new. */
  recordMany(entries: { leadId: string; entry: TimelineEntry }[], due: { leadId: string; at: number }[]): Promise<boolean[]>;
  /** Many leads and their entries at once, indexes included (imports, benchmarks). */
  bulkLoad(items: { lead: Lead; entries: TimelineEntry[] }[]): Promise<void>;
}

/** The indexes over the leads: lists, filters, counts, and their repair. */
export interface LeadQueries {
  /** Lead ids matching a query, a page of them, and the total before pagination. */
  queryLeads(q: LeadQuery): Promise<{ ids: string[]; total: number }>;
  leadsOf(owner: string): Promise<Lead[]>;
  /** A rep's open manual leads (the candidates for merging when a customer adds the rep on WeCom). */
  manualLeadsOf(owner: string): Promise<Lead[]>;
  owners(): Promise<string[]>;
  countByStateAndOutcome(): Promise<{ state: Record<string, number>; outcome: Record<string, number> }>;
  /** Makes every index agree with the leads; how many memberships it added and removed. */
  repairIndexes(): Promise<{ leads: number; added: number; removed: number }>;
}

/** Customer groups, their join codes, and which groups each customer is in. */
export interface GroupRepository {
  getGroup(chatId: string): Promise<GroupRecord | undefined>;
  saveGroup(g: GroupRecord): Promise<void>;
  /**
   * Read-modify-write of one group, optimistic like updateLead: two events of the same group handled at once both
   * land (neither overwrites the other's timeline entry). `change` gets a copy, or undefined for a new group.
   */
  updateGroup(chatId: string, change: (current: GroupRecord | undefined) => GroupRecord | undefined): Promise<{ before?: GroupRecord; after?: GroupRecord }>;
  getJoinCode(chatId: string): Promise<JoinCode | undefined>;
  /** Keeps the first join code saved for a group and returns it (two workers racing end with the same one). */
  saveJoinCode(chatId: string, code: JoinCode): Promise<JoinCode>;
  /**
   * Moves the group in the customers' group lists (out for `before` not in `after`, in for `after`) and answers, read
   * in the same round trip after the move, the groups each of `leads` is in and the group as it now is (another event
   * of the group may have changed it since this one wrote it).
   */
  setGroupCustomers(chatId: string, before: string[], after: string[], leads: string[]): Promise<{ groupsOf: Map<string, string[]>; group?: GroupRecord }>;
  groupsOfCustomer(externalUserId: string): Promise<string[]>;
}

/** What a rep was last shown, so 「#2」 means the second of that list. */
export interface RepSessions {
  setLastList(rep: string, ids: string[]): Promise<void>;
  lastList(rep: string): Promise<string[]>;
  /** The command the bot guessed from an unclear message, waiting for the rep's 「1」 (kept 10 minutes). */
  setPending(rep: string, command: string): Promise<void>;
  /** Takes the guessed command (once); undefined when there is none or it expired. */
  takePending(rep: string): Promise<string | undefined>;
}

/** When the nudge sweep looks at each lead next. */
export interface DueSchedule {
  /** Next check time (Infinity: never, until something changes). */
  setDue(leadId: string, at: number): Promise<void>;
  /** Lead ids whose next check is due, oldest first. */
  dueLeads(now: number, limit: number): Promise<string[]>;
}

/** Everything the ledger's use cases read and write. */
export type LedgerRepository = LeadRepository & LeadQueries & GroupRepository & RepSessions & DueSchedule;

/** A nudge held back by the rep's daily cap, waiting for the digest. (Sent nudges live on the lead's timeline.) */
export interface NudgeRecord {
  id: string;
  leadId: string;
  kind: NudgeKind;
  owner: string;
  title: string;
  createdAt: number;
}

/** The nudges' own bookkeeping: each rep's daily allowance and the overflow held for the digest. */
export interface NudgeRepository {
  /** Admits nudge ids into their reps' allowances for their day; an id admitted before is admitted again. */
  admitMany(items: { id: string; rep: string; dayId: string }[], cap: number): Promise<{ id: string; allowed: boolean }[]>;
  /** Holds nudges the cap turned away, once each; answers how many were new. */
  holdMany(records: NudgeRecord[]): Promise<number>;
  get(id: string): Promise<NudgeRecord | undefined>;
  /** The ids held for a rep, removed as they are taken (the digest takes them). */
  takeOverflow(rep: string): Promise<string[]>;
}
