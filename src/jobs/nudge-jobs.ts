import { Queue, Worker } from 'bullmq';
import type Redis from 'ioredis';
import type { Nudger } from '../app/nudger';
import type { Logger } from '../log';
import type { LedgerStore } from '../store/ledger-store';
import type { NudgeStore } from '../store/nudge-store';
import { bullPrefix, lockOptions, QUEUES } from './names';

export function createNudgeQueue(connection: Redis, redisPrefix: string): Queue {
  const q = new Queue(QUEUES.nudges, { connection, prefix: bullPrefix(redisPrefix) });
  q.on('error', () => undefined);
  return q;
}

/**
 * The sweep (every few minutes) and the weekly digest as BullMQ job schedulers: upserted at start, so restarts and
 * several worker processes keep exactly one schedule each; BullMQ hands each run to one worker.
 */
export async function startNudgeJobs(deps: {
  /** false: run the worker but do not schedule (tests drive the sweep themselves). */
  schedulers: boolean;
  connection: Redis;
  redisPrefix: string;
  nudger: Nudger;
  store: LedgerStore;
  nudges: NudgeStore;
  sweepEveryMinutes: number;
  sweepBatch: number;
  digestCron: string;
  timeZone: string;
  log: Logger;
  /** See lockOptions. */
  lockMs?: number;
}): Promise<{ queue: Queue; worker: Worker }> {
  const queue = createNudgeQueue(deps.connection, deps.redisPrefix);
  const keep = { removeOnComplete: 100, removeOnFail: 100 };
  if (deps.schedulers) {
    await queue.upsertJobScheduler('sweep', { every: deps.sweepEveryMinutes * 60_000 }, { name: 'sweep', opts: keep });
    await queue.upsertJobScheduler('weekly-digest', { pattern: deps.digestCron, tz: deps.timeZone }, { name: 'digest', opts: keep });
  }
  const worker = new Worker(
    QUEUES.nudges,
    async (job) => {
      if (job.name === 'digest') {
        const owners = await deps.store.owners();
        return deps.nudger.digest(owners, async (rep) => {
          const ids = await deps.nudges.takeOverflow(rep);
          const recs = await Promise.all(ids.map((id) => deps.nudges.get(id)));
          return recs.filter((r) => !!r).map((r) => r!.title);
        });
      }
      // sweep: drain what is due, one batch at a time
      let total = { checked: 0, sent: 0, capped: 0 };
      for (let round = 0; round < 100; round++) {
        const r = await deps.nudger.sweep(deps.sweepBatch);
        total = { checked: total.checked + r.checked, sent: total.sent + r.sent, capped: total.capped + r.capped };
        if (r.checked < deps.sweepBatch) break;
      }
      return total;
    },
    { connection: deps.connection, prefix: bullPrefix(deps.redisPrefix), concurrency: 1, ...lockOptions(deps.lockMs) },
  );
  worker.on('failed', (job, err) => deps.log.error({ reason: 'nudge.job_failed', job: job?.name, err: err.message }, 'nudge job failed'));
  worker.on('error', (err) => deps.log.error({ reason: 'nudge.worker_error', err: err.message }, 'nudge worker error'));
  return { queue, worker };
}
