import type { ReceivedCallback } from '../../wecom/events';

/** Where an accepted callback goes: durable, idempotent by envelope id. */
export interface EventInbox {
  /**
   * Resolves only once the callback is durably stored (or was already: the id is its idempotency key, and a
   * second record of the same id is a no-op, answered 'already_stored'). Rejects with StoreUnavailableError otherwise.
   */
  record(callback: ReceivedCallback): Promise<'stored' | 'already_stored'>;
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
