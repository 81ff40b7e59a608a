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
