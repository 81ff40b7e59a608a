import type { Worker } from 'bullmq';
import { loggingHandlers, type EventHandlers } from '../app/dispatch';
import type { Config } from '../config/env';
import { InboxPump } from '../jobs/inbox-pump';
import { createInboxQueue } from '../jobs/inbox-queue';
import { startInboxWorker } from '../jobs/inbox-worker';
import type { Logger } from '../log';
import { createRedis } from '../store/redis';
import { systemClock } from '../app/system-clock';
import type { Clock } from '../domain/clock';
import { startSendWorker } from '../jobs/send-queue';
import { createSendLimiter, createWeComApi } from './wecom-api';

export interface WorkerHandle {
  workers: Worker[];
  pump: InboxPump;
  close(): Promise<void>;
}

/** Composition root of the worker process: the inbox pump and consumers (and, later, schedulers). Run as many as you like. */
export async function startWorker(
  config: Config,
  log: Logger,
  opts: { handlers?: EventHandlers; clock?: Clock; sendWindows?: { minuteMs?: number; hourMs?: number } } = {},
): Promise<WorkerHandle> {
  const clock = opts.clock ?? systemClock;
  const connection = createRedis(config.redis.url, 'worker');
  const pumpConnection = createRedis(config.redis.url, 'worker');
  const redis = createRedis(config.redis.url, 'general');
  const api = createWeComApi(config, redis, clock, log);
  const sender = startSendWorker({
    connection,
    redis,
    redisPrefix: config.redis.prefix,
    client: api,
    limiter: createSendLimiter(config, redis, opts.sendWindows),
    clock,
    timeZone: config.businessTz,
    log,
    concurrency: config.policy.send.concurrency,
  });
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
    workers: [inbox, sender],
    pump,
    async close() {
      await pump.stop();
      await Promise.all([inbox.close(), sender.close()]);
      await queue.close();
      pumpConnection.disconnect();
      connection.disconnect();
      redis.disconnect();
    },
  };
}
