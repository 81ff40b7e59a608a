import { Queue } from 'bullmq';
import type Redis from 'ioredis';
import { StoreUnavailableError, type EventInbox } from '../app/ports';
import type { Policy } from '../config/policy';
import type { InboxEnvelope } from '../wecom/events';
import { QUEUES, bullPrefix } from './names';

export type InboxJobData = InboxEnvelope;

/**
 * The durable inbox is a BullMQ queue. One `add` per callback: the job id is the envelope's idempotency key, and
 * BullMQ's deduplication id (with a TTL) remembers it after the job is done, so a retried callback is recorded once
 * even days later. The add is one atomic Lua script in Redis: when it returns, the event is stored.
 */
export class BullInbox implements EventInbox {
  readonly queue: Queue<InboxJobData>;

  constructor(
    connection: Redis,
    redisPrefix: string,
    private readonly policy: Policy,
  ) {
    this.queue = new Queue<InboxJobData>(QUEUES.inbox, { connection, prefix: bullPrefix(redisPrefix) });
    this.queue.on('error', () => undefined); // surfaced through record() and /readyz
  }

  async record(envelope: InboxEnvelope): Promise<void> {
    const { inbox, ingress } = this.policy;
    try {
      await this.queue.add(envelope.event.kind, envelope, {
        jobId: envelope.id,
        deduplication: { id: envelope.id, ttl: ingress.dedupTtlHours * 3_600_000 },
        attempts: inbox.attempts,
        backoff: { type: 'exponential', delay: inbox.backoffMs },
        removeOnComplete: { age: inbox.keepCompletedHours * 3600, count: inbox.keepCompletedMax },
        removeOnFail: false, // parked for an operator: GET /api/inbox/failed, POST …/:id/retry
      });
    } catch (err) {
      throw new StoreUnavailableError(err);
    }
  }

  async close(): Promise<void> {
    await this.queue.close();
  }
}

/** Operator view of parked (failed) inbox jobs. */
export function parkedEvents(queue: Queue<InboxJobData>) {
  return {
    async listFailed(start: number, end: number) {
      const jobs = await queue.getFailed(start, end);
      return jobs.map((j) => ({
        id: j.id ?? '',
        kind: j.name,
        failedReason: j.failedReason,
        attemptsMade: j.attemptsMade,
        finishedOn: j.finishedOn,
      }));
    },
    async retry(id: string) {
      const job = await queue.getJob(id);
      if (!job || !(await job.isFailed())) return false;
      await job.retry('failed');
      return true;
    },
  };
}
