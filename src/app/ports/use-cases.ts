import type { Logger } from '../../log';
import type { InboxEnvelope, ReceivedCallback } from '../../wecom/events';

/**
 * The use cases' entry points, as src/http and src/jobs see them: an entry point parses its input, calls one of these,
 * and renders the answer. The composition roots (src/main) hand in the implementations from src/app.
 */

/** The query of a WeCom callback (URL-decoded once). */
export interface CallbackQuery {
  msg_signature?: string;
  timestamp?: string;
  nonce?: string;
  echostr?: string;
}

/** The webhook's use case: verify and open a callback, store it durably (src/app/callback-receiver.ts). */
export interface CallbackIntake {
  readonly channel: 'app' | 'bot';
  /** GET URL verification: the plaintext to echo. Throws CallbackError. */
  verifyUrl(q: CallbackQuery): string;
  /** POST: resolves once the callback is durably stored. Throws CallbackError, StoreUnavailableError or InboxFullError. */
  receive(q: CallbackQuery, rawBody: string): Promise<ReceivedCallback>;
}

export interface ArchiveResult {
  accepted: number;
  duplicates: number;
  /** Records about customers or groups the ledger does not know (yet). */
  unmatched: number;
  /** Of those, how many wait for their lead (ArchiveHold) rather than being dropped. */
  held?: number;
  /** Records that are not chat messages (recall, switch, …) or not readable. */
  skipped: number;
}

/** The chat-archive feed's use case (src/app/archive-ingest.ts): a parsed JSON body in, counts out. */
/**
 * What the archive route answers: records in the batch; messages newly stored for the worker; messages stored before
 * (a batch sent again); records that are not messages (a recall, an unreadable record).
 */
export interface ArchiveReceipt {
  received: number;
  queued: number;
  duplicates: number;
  skipped: number;
}

export interface ArchiveIntake {
  ingest(body: unknown): Promise<{ ok: true; result: ArchiveReceipt } | { ok: false; message: string }>;
}

/** The inbox's consumer (src/app/dispatch.ts): applies one stored callback; throws to be retried. */
export interface EventConsumer {
  consume(envelope: InboxEnvelope, ctx: { attempt: number; log: Logger }): Promise<void>;
}

/** The nudges' scheduled work (src/app/nudger.ts). */
export interface NudgeRunner {
  /** Sweeps what is due, a batch at a time, until nothing is. */
  sweepDue(batch: number): Promise<{ checked: number; sent: number; capped: number }>;
  /** The weekly digest to every rep with open leads; answers how many were sent. */
  weeklyDigest(): Promise<number>;
  /** The board's rows of the leads that changed, then their reps' team lines; answers how many leads. */
  refreshBoard(batch: number): Promise<number>;
}

/** Reading booked meetings' attendance once they end (src/app/meeting-attendance.ts). */
export interface AttendanceRunner {
  checkDue(limit: number): Promise<{ checked: number; held: number; asked: number; waiting: number }>;
}

export interface ReconcileReport {
  groupsChecked: number;
  groupsFixed: number;
  customersChecked: number;
  leadsCreated: number;
  /** Index memberships added or removed to make the indexes agree with the leads. */
  indexesRepaired: number;
}

/** A queue's jobs that failed for good — parked callbacks, sends — listed and replayed by operators (src/jobs/failed-jobs.ts). */
export interface FailedJobs {
  listFailed(start: number, end: number): Promise<{ id: string; kind: string; failedReason: string; attemptsMade: number; finishedOn?: number }[]>;
  /** Puts a failed job back in its queue; false when there is no failed job with that id. */
  retry(id: string): Promise<boolean>;
}
