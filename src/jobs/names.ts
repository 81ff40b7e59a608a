/** BullMQ's prefix for this deployment. The `{bull}` hash tag keeps each queue's keys in one Redis Cluster slot. */
export function bullPrefix(redisPrefix: string): string {
  return `${redisPrefix}:{bull}`;
}

export const QUEUES = {
  inbox: 'inbox',
} as const;
