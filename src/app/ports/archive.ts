import type { ArchiveRecord } from '../../wecom/events';
/**
 * The chat-archive puller's ports (src/app/archive-puller.ts): WeCom's archive SDK, the company's RSA keys, and the
 * puller's state in Redis (lease, checkpoint, parked records, status).
 */

/** What one SDK call answered: its return code (0 = ok, 10000–10011 otherwise) and, when 0, the text it gave. */
export type SdkAnswer = { ret: 0; text: string } | { ret: number; text?: undefined };

/**
 * WeCom's chat-archive SDK (libWeWorkFinanceSdk_C.so), one initialised instance. GetChatData blocks on the network:
 * it runs off the event loop, one call at a time.
 */
export interface ChatArchiveSdk {
  /** Records after `seq` (the last stored max seq, unchanged), at most `limit` (1–1000): the GetChatData JSON text. */
  getChatData(seq: number, limit: number, timeoutSeconds: number): Promise<SdkAnswer>;
  /** A message's plaintext from its opened random key and encrypt_chat_msg. */
  decryptData(randomKey: string, encryptedMessage: string): SdkAnswer;
  close(): void;
}

/** The company's RSA private keys, by the version WeCom stamps on each record (publickey_ver). */
export interface ArchiveKeyRing {
  versions(): number[];
  /**
   * encrypt_random_key (base64) opened with the key of its version: `missing` when that version has no key,
   * `unreadable` when the key does not open it (the wrong key filed under that version).
   */
  open(version: number, encryptedRandomKey: string): { ok: true; key: string } | { ok: false; reason: 'missing_key' | 'unreadable_key' };
  /** Reads the keys again (a key added for parked records); answers the versions now held, or throws on a bad file. */
  reload(): number[];
}

/** One record as GetChatData gives it (still encrypted). */
export interface EncryptedArchiveItem {
  seq: number;
  msgid: string;
  publickey_ver: number;
  encrypt_random_key: string;
  encrypt_chat_msg: string;
}

/** A record kept aside because it could not be opened yet: listed, counted, and replayed when its key arrives. */
export interface ParkedArchiveItem {
  item: EncryptedArchiveItem;
  /**
   * missing_key: no key for its version; unreadable_key: its key does not open it; decrypt_failed: the SDK refused it;
   * malformed: GetChatData gave it without the fields a record has.
   */
  reason: 'missing_key' | 'unreadable_key' | 'decrypt_failed' | 'malformed';
  parkedAt: number;
}

/** The puller's hold on pulling: the fencing token (raised at every acquisition) and who holds it. */
export interface ArchiveLease {
  token: number;
  owner: string;
}

/** What operators see of the puller (GET /api/archive/status, wf_archive_* metrics), shared by every process. */
export interface ArchiveStatus {
  checkpoint: number;
  pulled: number;
  applied: number;
  skipped: number;
  parked: number;
  /** Parked records replayed once their key arrived. */
  replayed: number;
  lastPullAt?: number;
  lastSuccessAt?: number;
  /** Seconds between the newest record applied and its pull, while more records wait (0 when caught up). */
  lagSeconds: number;
  /** At least this many records wait (the last batch was full: WeCom does not tell how many more). */
  lagSeq: number;
  /** A gap longer than the archive's retention was found (records older than that may be lost): when. */
  gapAt?: number;
  /** Why the puller stopped, until an operator fixes it and it starts again: the code. */
  stopped?: string;
  lastError?: string;
  /** Errors by code since the start (SDK return codes and WeCom errcodes). */
  errors: Record<string, number>;
  /** Who holds the lease now, if anyone. */
  holder?: string;
}

/** The puller's state in Redis: one lease across every process, a fenced checkpoint, parked records, the status. */
export interface ArchivePullState {
  /** The lease if nobody holds it (a new, higher token); undefined when another process does. */
  acquire(owner: string, ttlMs: number): Promise<ArchiveLease | undefined>;
  /** Keeps the lease; false when it was lost (expired and taken). */
  renew(lease: ArchiveLease, ttlMs: number): Promise<boolean>;
  release(lease: ArchiveLease): Promise<void>;
  checkpoint(): Promise<number>;
  /**
   * Moves the checkpoint to `seq` (never back) and adds the batch's counts, only while `lease` is still the current
   * one: false (nothing written) when another puller has taken over since.
   */
  advance(
    lease: ArchiveLease,
    seq: number,
    batch: { pulled: number; applied: number; skipped: number; parked: number; at: number; lagSeconds: number; lagSeq: number },
  ): Promise<boolean>;
  park(items: ParkedArchiveItem[]): Promise<void>;
  /** Parked records in seq order, a page at a time. */
  parked(offset: number, limit: number): Promise<{ total: number; items: ParkedArchiveItem[] }>;
  /** Removes replayed records and counts them. */
  unpark(msgids: string[]): Promise<void>;
  /** Asks the puller to replay the parked records (POST /api/archive/parked/retry). */
  requestRetry(): Promise<void>;
  /** Whether a replay was asked for (and clears the request). */
  takeRetryRequest(): Promise<boolean>;
  /** Notes a failed pull (its code and message) and, for a stop, why. */
  noteError(code: string, message: string, at: number, stopped?: boolean): Promise<void>;
  noteGap(at: number): Promise<void>;
  /** A pull with nothing new: the last success, and no lag. */
  noteCaughtUp(at: number): Promise<void>;
  status(): Promise<ArchiveStatus>;
}

/** Wakes the puller at once (a msgaudit_notify callback; a replay request), whichever process it runs in. */
export interface ArchiveWakeup {
  wake(): Promise<void>;
}

/**
 * Archived messages about a customer who is not a lead yet, or a group not yet bound to a lead (a message that came
 * before the add_external_contact callback, or a contact from before the bot): held, not dropped, and applied once
 * the lead or the group exists. Keys: `c:<external id>`, `r:<room id>`.
 */
export interface ArchiveHold {
  hold(items: { key: string; record: ArchiveRecord }[]): Promise<void>;
  /** Up to `max` keys with held messages. */
  keys(max: number): Promise<string[]>;
  records(key: string): Promise<ArchiveRecord[]>;
  /** Drops the messages the last records(key) read (applied); those held since stay. */
  release(key: string): Promise<void>;
}
