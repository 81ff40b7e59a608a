import type { Queue } from 'bullmq';
import type { FailedJobs } from '../app/ports';

/**
 * Operators' view of a queue's failed jobs — parked inbox events, sends that failed for good — and their replay. The
 * jobs stay until replayed (removeOnFail: false), so no permanent failure is silent.
 */
export function failedJobs(queue: Queue): FailedJobs {
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
