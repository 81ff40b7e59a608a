import type { Worker } from 'bullmq';
import type { RedisClient } from '../store/redis';
import type { ActivityCounter, OutboundMessage, RateSlots, SendResult } from '../app/ports';
import { MessageSender } from '../app/send-message';
import type { Clock } from '../domain/clock';
import { startSendProcessor } from '../jobs/send-queue';
import type { Logger } from '../log';
import { RedisSentMarks } from '../store/sent-marks';
import type { WeComApiClient } from '../wecom/api-client';

export interface SendWorkerDeps {
  connection: RedisClient;
  redis: RedisClient;
  redisPrefix: string;
  client: WeComApiClient;
  limiter: RateSlots;
  clock: Clock;
  timeZone: string;
  log: Logger;
  concurrency?: number;
  /** Counts messages sent (by channel), robot-reply fallbacks and permanent failures, for metrics. */
  activity?: ActivityCounter;
  /** WeCom's duplicate-check window for message/send (config `send.duplicateCheckSeconds`). */
  duplicateCheckSeconds?: number;
  /** BullMQ lock and stall-check period (default BullMQ's 30 s): how soon a dead worker's jobs go back to the queue. */
  lockMs?: number;
  /** Called after a message went out (e.g. to remember a card's response_code). */
  onSent?: (message: OutboundMessage, result: SendResult) => Promise<void>;
}

/** The send queue's worker, composed: the send use case over the WeCom client, Redis sent marks and rate slots. */
export function startSendWorker(deps: SendWorkerDeps): Worker<OutboundMessage, SendResult> {
  const sender = new MessageSender({
    channel: deps.client,
    marks: new RedisSentMarks(deps.redis, deps.redisPrefix),
    limiter: deps.limiter,
    clock: deps.clock,
    timeZone: deps.timeZone,
    log: deps.log,
    activity: deps.activity,
    duplicateCheckSeconds: deps.duplicateCheckSeconds,
    onSent: deps.onSent,
  });
  return startSendProcessor({
    connection: deps.connection,
    redisPrefix: deps.redisPrefix,
    sender,
    log: deps.log,
    activity: deps.activity,
    concurrency: deps.concurrency,
    lockMs: deps.lockMs,
  });
}
