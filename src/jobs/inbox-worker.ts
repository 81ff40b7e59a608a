import { Worker, type Job } from 'bullmq';
import type { RedisClient } from '../store/redis';
import type { EventConsumer } from '../app/ports';
import type { Policy } from '../config/policy';
import type { Logger } from '../log';
import type { InboxJobData } from './inbox-queue';
import { QUEUES, bullPrefix } from './names';

/**
 * Consumes the inbox: one job per callback, dispatched by kind. A handler that throws is retried with exponential
 * backoff (attempts from config/app.json); after the last attempt the job stays in the failed set, where an operator
 * sees it (GET /api/inbox/failed) and replays it (POST /api/inbox/failed/:id/retry). A failing job never blocks the
 * jobs behind it: BullMQ moves it to delayed while it waits for its next attempt.
 */
export function startInboxWorker(opts: {
  connection: RedisClient;
  redisPrefix: string;
  policy: Policy;
  consumer: EventConsumer;
  log: Logger;
  autorun?: boolean;
}): Worker<InboxJobData> {
  const { log } = opts;
  const worker = new Worker<InboxJobData>(
    QUEUES.inbox,
    async (job: Job<InboxJobData>) => {
      // A thin processor: the job is the stored callback; the use case applies it.
      await opts.consumer.consume(job.data, { attempt: job.attemptsMade + 1, log: log.child({ jobId: job.id }) });
    },
    {
      connection: opts.connection,
      prefix: bullPrefix(opts.redisPrefix),
      concurrency: opts.policy.inbox.concurrency,
      autorun: opts.autorun ?? true,
    },
  );
  worker.on('failed', (job, err) => {
    if (!job) return;
    const parked = job.attemptsMade >= (job.opts.attempts ?? 1);
    log.warn(
      { reason: parked ? 'inbox.parked' : 'inbox.retrying', eventId: job.id, kind: job.name, attempt: job.attemptsMade, err: err.message },
      parked ? 'handler failed on its last attempt: parked for an operator' : 'handler failed: will retry with backoff',
    );
  });
  worker.on('error', (err) => log.error({ reason: 'inbox.worker_error', err: err.message }, 'inbox worker error'));
  return worker;
}
