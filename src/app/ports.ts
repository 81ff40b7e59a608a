import type { JoinCode } from '../store/ledger-store';
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
