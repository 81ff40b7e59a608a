import type { BuyingState, Lead, Outcome } from '../domain/lead';
import type { TimelineEntry } from '../domain/timeline';
import type { MessageBody } from '../wecom/api-types';
import type { InboxEnvelope } from '../wecom/events';

/** Where an accepted callback goes: durable, idempotent by envelope id. */
export interface EventInbox {
  /**
   * Resolves only once the envelope is durably stored (or was already: the id is its idempotency key, and a
   * second record of the same id is a no-op). Rejects with StoreUnavailableError otherwise.
   */
  record(envelope: InboxEnvelope): Promise<void>;
}

/** The backing store could not be reached or did not answer in time: the caller must not acknowledge. */
export class StoreUnavailableError extends Error {
  readonly code = 'STORE_UNAVAILABLE';
  constructor(cause: unknown) {
    super(`store unavailable: ${(cause as Error)?.message ?? String(cause)}`);
    this.name = 'StoreUnavailableError';
  }
}

/**
 * The inbox already holds `limit` callbacks that no worker has taken yet: storing more could only be done by dropping
 * older ones, so the caller must refuse (503) and let WeCom retry.
 */
export class InboxFullError extends Error {
  readonly code = 'INBOX_FULL';
  constructor(
    readonly backlog: number,
    readonly limit: number,
  ) {
    super(`inbox full: ${backlog} callbacks not yet taken by a worker (limit ${limit})`);
    this.name = 'InboxFullError';
  }
}

/** A message to one rep, sent at most once per key (the idempotency key: e.g. lead + nudge kind + period). */
export interface OutboundMessage {
  key: string;
  touser: string;
  body: MessageBody;
  /**
   * A reply to a robot message: answer in the robot conversation through the callback's one-time response_url while
   * it is valid; an app message to `touser` if it has expired or WeCom refuses it.
   */
  viaRobot?: { responseUrl: string; expiresAt: number };
}

/** Everything that messages a rep goes through this: a rate-limited, idempotent queue. */
export interface MessageOutbox {
  enqueue(message: OutboundMessage, opts?: { delayMs?: number }): Promise<void>;
  /** Many at once (one round trip); same guarantees as enqueue. */
  enqueueMany(messages: OutboundMessage[]): Promise<void>;
}

/** What we can learn about customers and their groups from WeCom. */
export interface CustomerProfile {
  externalUserId: string;
  name: string;
  company?: string;
  followers: { userId: string; remark?: string; state?: string; addedAt: number }[];
}

export interface GroupSnapshot {
  chatId: string;
  name?: string;
  owner: string;
  createdAt: number;
  customers: string[];
  staff: string[];
  memberVersion?: string;
}

export interface CustomerDirectory {
  /** undefined when WeCom says the customer does not exist or is no longer related (84061/40096). */
  getCustomer(externalUserId: string): Promise<CustomerProfile | undefined>;
  /** undefined when the group no longer exists. */
  getGroup(chatId: string): Promise<GroupSnapshot | undefined>;
  listGroupIds(): Promise<string[]>;
  listCustomerIds(userId: string): Promise<string[]>;
}

// ---- The ledger's repositories (src/store implements them over Redis; test/support has in-memory fakes) ----------

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
   * the new lead, or undefined to leave it; creates the lead when it returns one for an absent id.
   */
  updateLead(id: string, change: (current: Lead | undefined) => Lead | undefined): Promise<{ before?: Lead; after?: Lead }>;
  /** Last-writer-wins update of an existing lead: applied only if nothing newer already set that field. */
  updateIfNewer<K extends keyof Lead['stamps']>(id: string, stamp: K, at: number, apply: (l: Lead) => void): Promise<{ before?: Lead; after?: Lead }>;
  /** Appends an entry; a second append of the same id is a no-op (returns false). */
  addEntry(leadId: string, entry: TimelineEntry): Promise<boolean>;
  getTimeline(leadId: string): Promise<TimelineEntry[]>;
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
  getJoinCode(chatId: string): Promise<JoinCode | undefined>;
  /** Keeps the first join code saved for a group and returns it (two workers racing end with the same one). */
  saveJoinCode(chatId: string, code: JoinCode): Promise<JoinCode>;
  setGroupCustomers(chatId: string, before: string[], after: string[]): Promise<void>;
  groupsOfCustomer(externalUserId: string): Promise<string[]>;
}

/** What a rep was last shown, so 「#2」 means the second of that list. */
export interface RepSessions {
  setLastList(rep: string, ids: string[]): Promise<void>;
  lastList(rep: string): Promise<string[]>;
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

/** A customer group's QR join code (add_join_way scene 2 + get_join_way): customers scan it to join the group. */
export interface JoinCodeMaker {
  /** Creates a new join code for one group; `state` (≤ 30 chars) comes back on members who join through it. */
  createJoinCode(chatId: string, state: string): Promise<JoinCode>;
}

export interface MeetingRequest {
  host: string;
  title: string;
  startsAt: number;
  minutes: number;
}

export interface BookedMeeting {
  meetingId: string;
  link?: string;
}

export interface MeetingBooker {
  book(req: MeetingRequest): Promise<BookedMeeting>;
  /** The meeting this app already booked for this request (same host, title and start), if any. */
  findBooked(req: MeetingRequest): Promise<BookedMeeting | undefined>;
}

/**
 * Bookings made for an event, by its id, so a retried event reuses its meeting instead of booking another. `claim`
 * records the intent before the call to WeCom: a claim found without a booking means an earlier run may have booked
 * and lost the answer.
 */
export interface BookingStore {
  claim(key: string): Promise<{ state: 'new' | 'pending' } | { state: 'booked'; booking: BookedMeeting }>;
  save(key: string, booking: BookedMeeting): Promise<void>;
}

/** One thing the product did, counted: e.g. `nudges_sent` of kind `quiet`, `card_actions` of kind `called`. */
export interface Activity {
  event: string;
  kind?: string;
  n?: number;
}

/**
 * Counts what the product did, for metrics (`wf_activity_total`), in Redis so every process adds to the same
 * figures. Counting never fails or delays the work it counts: errors are swallowed.
 */
export interface ActivityCounter {
  count(...activities: Activity[]): Promise<void>;
}
