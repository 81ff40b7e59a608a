import { Queue, type JobsOptions } from 'bullmq';
import type { RedisClient } from '../store/redis';
import type { Policy } from '../config/policy';
import type { InboxEnvelope } from '../wecom/events';
import { QUEUES, bullPrefix } from './names';

export type InboxJobData = InboxEnvelope;

export function createInboxQueue(connection: RedisClient, redisPrefix: string): Queue<InboxJobData> {
  const queue = new Queue<InboxJobData>(QUEUES.inbox, { connection, prefix: bullPrefix(redisPrefix) });
  queue.on('error', () => undefined); // surfaced through the calls that fail and /readyz
  return queue;
}

/** Job options for an inbox event: the envelope id is the job id, so re-adding the same event is a no-op. */
export function inboxJobOptions(id: string, policy: Policy): JobsOptions {
  const { inbox } = policy;
  return {
    jobId: id,
    attempts: inbox.attempts,
    backoff: { type: 'exponential', delay: inbox.backoffMs },
    removeOnComplete: { age: inbox.keepCompletedHours * 3600, count: inbox.keepCompletedMax },
    removeOnFail: false, // parked for an operator: GET /api/inbox/failed, POST …/:id/retry
  };
}
