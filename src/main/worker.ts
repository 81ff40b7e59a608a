import type { Worker } from 'bullmq';
import { loggingHandlers, type EventHandlers } from '../app/dispatch';
import type { Config } from '../config/env';
import { InboxPump } from '../jobs/inbox-pump';
import { createInboxQueue } from '../jobs/inbox-queue';
import { startInboxWorker } from '../jobs/inbox-worker';
import type { Logger } from '../log';
import { createRedis } from '../store/redis';

export interface WorkerHandle {
  workers: Worker[];
  pump: InboxPump;
  close(): Promise<void>;
}

/** Composition root of the worker process: the inbox pump and consumers (and, later, schedulers). Run as many as you like. */
export async function startWorker(config: Config, log: Logger, opts: { handlers?: EventHandlers } = {}): Promise<WorkerHandle> {
  const connection = createRedis(config.redis.url, 'worker');
  const pumpConnection = createRedis(config.redis.url, 'worker');
  const queue = createInboxQueue(connection, config.redis.prefix);
  const pump = new InboxPump(pumpConnection, queue, config.redis.prefix, config.policy, log);
  await pump.start();
  const inbox = startInboxWorker({
    connection,
    redisPrefix: config.redis.prefix,
    policy: config.policy,
    handlers: opts.handlers ?? loggingHandlers(),
    log,
  });
  log.info({ reason: 'worker.started', concurrency: config.policy.inbox.concurrency, pump: pump.consumer }, 'worker running');
  return {
    workers: [inbox],
    pump,
    async close() {
      await pump.stop();
      await inbox.close();
      await queue.close();
      pumpConnection.disconnect();
      connection.disconnect();
    },
  };
}
