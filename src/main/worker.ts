import type { Worker } from 'bullmq';
import { loggingHandlers, type EventHandlers } from '../app/dispatch';
import type { Config } from '../config/env';
import { startInboxWorker } from '../jobs/inbox-worker';
import type { Logger } from '../log';
import { createRedis } from '../store/redis';

export interface WorkerHandle {
  workers: Worker[];
  close(): Promise<void>;
}

/** Composition root of the worker process: inbox consumers (and, later, schedulers). Run as many as you like. */
export async function startWorker(config: Config, log: Logger, opts: { handlers?: EventHandlers } = {}): Promise<WorkerHandle> {
  const connection = createRedis(config.redis.url, 'worker');
  const inbox = startInboxWorker({
    connection,
    redisPrefix: config.redis.prefix,
    policy: config.policy,
    handlers: opts.handlers ?? loggingHandlers(),
    log,
  });
  log.info({ reason: 'worker.started', concurrency: config.policy.inbox.concurrency }, 'worker running');
  return {
    workers: [inbox],
    async close() {
      await inbox.close();
      connection.disconnect();
    },
  };
}
