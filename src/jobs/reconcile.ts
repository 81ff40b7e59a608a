import { Queue, Worker } from 'bullmq';
import type { RedisClient } from '../store/redis';
import type { ReconcileReport } from '../app/ports';
import type { Logger } from '../log';
import { bullPrefix, QUEUES } from './names';

/**
 * The nightly reconciliation (src/app/reconcile.ts) as a BullMQ job scheduler: upserted at start (idempotent across
 * restarts and processes); the processor runs the use case it is given.
 */
export async function startReconcileWorker(deps: {
  connection: RedisClient;
  redisPrefix: string;
  cron: string;
  timeZone: string;
  run: () => Promise<ReconcileReport>;
  log: Logger;
  schedulers?: boolean;
}): Promise<{ queue: Queue; worker: Worker }> {
  const queue = new Queue(QUEUES.reconcile, { connection: deps.connection, prefix: bullPrefix(deps.redisPrefix) });
  queue.on('error', () => undefined);
  if (deps.schedulers !== false)
    await queue.upsertJobScheduler(
      'nightly-reconcile',
      { pattern: deps.cron, tz: deps.timeZone },
      { name: 'reconcile', opts: { attempts: 3, backoff: { type: 'exponential', delay: 60_000 }, removeOnComplete: 30, removeOnFail: 30 } },
    );
  const worker = new Worker(QUEUES.reconcile, async () => deps.run(), { connection: deps.connection, prefix: bullPrefix(deps.redisPrefix), concurrency: 1 });
  worker.on('failed', (job, err) => deps.log.error({ reason: 'reconcile.failed', attempt: job?.attemptsMade, err: err.message }, 'reconciliation failed'));
  worker.on('error', (err) => deps.log.error({ reason: 'reconcile.worker_error', err: err.message }, 'reconcile worker error'));
  return { queue, worker };
}
