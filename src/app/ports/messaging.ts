import { createHash } from 'node:crypto';
import type { MessageBody } from '../../wecom/api-types';

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
  /**
   * WeCom's duplicate check (an identical message within `send.duplicateCheckSeconds` is dropped): only where a
   * duplicate would be worse than a retry — nudges. A rep's question always gets its answer, even the same answer
   * twice. (A re-send after an attempt whose outcome is unknown carries the check whatever this says.)
   */
  duplicateCheck?: boolean;
}

/** Everything that messages a rep goes through this: a rate-limited, idempotent queue. */
export interface MessageOutbox {
  enqueue(message: OutboundMessage, opts?: { delayMs?: number }): Promise<void>;
  /** Many at once (one round trip); same guarantees as enqueue. */
  enqueueMany(messages: OutboundMessage[]): Promise<void>;
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

/** What sending one message came to. */
export interface SendResult {
  status: 'sent' | 'already_sent';
  /** 'robot': answered in the robot conversation through its response_url. */
  via?: 'robot' | 'app';
  msgid?: string;
  responseCode?: string;
}

/** One attempt at a queued message: sent; wait (a rate slot, WeCom's penalty) and try again; or failed for good. */
export type SendOutcome = { kind: 'sent'; result: SendResult } | { kind: 'wait'; ms: number } | { kind: 'failed'; reason: string };

/** The send use case (src/app/send-message.ts), as the send queue's processor calls it. Throws on a transient failure. */
export interface MessageSending {
  attempt(message: OutboundMessage, jobId: string): Promise<SendOutcome>;
}

/** Which messages went out (by key), so a re-run never sends twice. */
export interface SentMarks {
  get(key: string): Promise<Omit<SendResult, 'status'> | undefined>;
  mark(key: string, sent: Omit<SendResult, 'status'>): Promise<void>;
  /**
   * Notes that an attempt is about to reach WeCom; answers whether an earlier attempt's outcome is unknown (it died,
   * or timed out, after calling WeCom) — then this attempt asks for WeCom's duplicate check.
   */
  beginAttempt(key: string, windowSeconds: number): Promise<boolean>;
  /** The attempt got WeCom's answer (sent or refused): its outcome is known. */
  endAttempt(key: string): Promise<void>;
}

/** The members' rate windows and the app's daily quota, shared by every worker process (src/store/send-limiter.ts). */
export interface RateSlots {
  /** 0 when a slot was reserved under `slot`; otherwise how long to wait before asking again. */
  reserve(member: string, slot: string, now: number, day: { id: string; msUntilEnd: number }): Promise<number>;
  /** After the call returned: re-stamps the slot with the time WeCom has certainly seen it by. */
  confirm(member: string, slot: string, now: number): Promise<void>;
}

/** The stable id of a message key: the send job's id and its sent mark's name. */
export function messageIdOf(key: string): string {
  return `send-${createHash('sha256').update(key).digest('hex').slice(0, 40)}`;
}
