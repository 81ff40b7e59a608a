import { Queue, Worker } from 'bullmq';
import type { RedisClient } from '../store/redis';
import type { Logger } from '../log';
import type { AttendanceRunner, NudgeRunner } from '../app/ports';
import { bullPrefix, lockOptions, QUEUES } from './names';

/** How often the board's rows of changed leads are recomputed. */
const BOARD_EVERY_MS = 30_000;

export function createNudgeQueue(connection: RedisClient, redisPrefix: string): Queue {
  const q = new Queue(QUEUES.nudges, { connection, prefix: bullPrefix(redisPrefix) });
  q.on('error', () => undefined);
  return q;
}

/**
 * The sweep and the meetings' attendance (every few minutes) and the weekly digest as BullMQ job schedulers: upserted at start, so restarts and
 * several worker processes keep exactly one schedule each; BullMQ hands each run to one worker.
 */
export async function startNudgeJobs(deps: {
  /** false: run the worker but do not schedule (tests drive the sweep themselves). */
  schedulers: boolean;
  connection: RedisClient;
  redisPrefix: string;
  nudges: NudgeRunner;
  /** Booked meetings' attendance, read on the sweep's schedule. */
  attendance: AttendanceRunner;
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
    // The board follows the leads within a minute (a run with nothing changed is one read of the pending set).
    await queue.upsertJobScheduler('board', { every: BOARD_EVERY_MS }, { name: 'board', opts: keep });
    await queue.upsertJobScheduler('attendance', { every: deps.sweepEveryMinutes * 60_000 }, { name: 'attendance', opts: keep });
    await queue.upsertJobScheduler('weekly-digest', { pattern: deps.digestCron, tz: deps.timeZone }, { name: 'digest', opts: keep });
  }
  const worker = new Worker(
    QUEUES.nudges,
    // A thin processor: which job, then one use case.
    async (job) => {
      switch (job.name) {
        case 'digest':
          return deps.nudges.weeklyDigest();
        case 'attendance':
          return deps.attendance.checkDue(deps.sweepBatch);
        case 'board':
          return deps.nudges.refreshBoard(deps.sweepBatch);
        default:
          return deps.nudges.sweepDue(deps.sweepBatch);
      }
    },
    { connection: deps.connection, prefix: bullPrefix(deps.redisPrefix), concurrency: 1, ...lockOptions(deps.lockMs) },
  );
  worker.on('failed', (job, err) => deps.log.error({ reason: 'nudge.job_failed', job: job?.name, err: err.message }, 'nudge job failed'));
  worker.on('error', (err) => deps.log.error({ reason: 'nudge.worker_error', err: err.message }, 'nudge worker error'));
  return { queue, worker };
}
