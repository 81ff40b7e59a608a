/** BullMQ's prefix for this deployment. The `{bull}` hash tag keeps each queue's keys in one Redis Cluster slot. */
export function bullPrefix(redisPrefix: string): string {
  return `${redisPrefix}:{bull}`;
}

/** Every BullMQ queue of the product, by name: the one place queue names are written. */
export const QUEUES = {
  /** Callbacks moved from the webhook's stream, one job per event. */
  inbox: 'inbox',
  /** Messages and cards to members, one job per message key. */
  send: 'send',
  /** The nudge sweep and the weekly digest (job schedulers). */
  nudges: 'nudges',
  /** The nightly reconciliation (job scheduler). */
  reconcile: 'reconcile',
} as const;

/**
 * BullMQ worker options for a lock period: a job held by a worker that died goes back to the queue within about two
 * periods. Unset keeps BullMQ's defaults (30 s); tests shorten it to recover a killed process's jobs quickly.
 */
export function lockOptions(lockMs?: number): { lockDuration?: number; stalledInterval?: number } {
  return lockMs ? { lockDuration: lockMs, stalledInterval: lockMs } : {};
}
