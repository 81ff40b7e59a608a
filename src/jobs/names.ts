/** BullMQ's prefix for this deployment. The `{bull}` hash tag keeps each queue's keys in one Redis Cluster slot. */
export function bullPrefix(redisPrefix: string): string {
  return `${redisPrefix}:{bull}`;
}

export const QUEUES = {
  inbox: 'inbox',
} as const;

/**
 * BullMQ worker options for a lock period: a job held by a worker that died goes back to the queue within about two
 * periods. Unset keeps BullMQ's defaults (30 s); tests shorten it to recover a killed process's jobs quickly.
 */
export function lockOptions(lockMs?: number): { lockDuration?: number; stalledInterval?: number } {
  return lockMs ? { lockDuration: lockMs, stalledInterval: lockMs } : {};
}
