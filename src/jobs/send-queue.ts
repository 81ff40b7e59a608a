import { DelayedError, Queue, UnrecoverableError, Worker, type Job } from 'bullmq';
import type { RedisClient } from '../store/redis';
import { messageIdOf, type ActivityCounter, type MessageOutbox, type MessageSending, type OutboundMessage, type SendResult } from '../app/ports';
import type { Logger } from '../log';
import { assertMemberRecipients, RecipientRefusedError } from '../wecom/recipients';
import { bullPrefix, lockOptions, QUEUES } from './names';

/** Producer side: one job per message key; adding the same key again is a no-op. */
export class SendQueue implements MessageOutbox {
  readonly queue: Queue<OutboundMessage>;
  constructor(
    connection: RedisClient,
    redisPrefix: string,
    private readonly guard: { log?: Logger; activity?: ActivityCounter } = {},
  ) {
    this.queue = new Queue<OutboundMessage>(QUEUES.send, { connection, prefix: bullPrefix(redisPrefix) });
    this.queue.on('error', () => undefined);
  }

  /** The send boundary's guard, at the door: a message to anyone but members is refused (throws), logged and counted. */
  private async admit(m: OutboundMessage): Promise<void> {
    try {
      assertMemberRecipients(m.touser);
    } catch (err) {
      if (!(err instanceof RecipientRefusedError)) throw err;
      this.guard.log?.error({ reason: 'send.recipient_refused', why: err.why, key: m.key }, 'refused to queue a message to anyone but members');
      await this.guard.activity?.count({ event: 'messages_refused', kind: err.why });
      throw err;
    }
  }

  /** The BullMQ options of a message's job (exported for bench:sweep's raw baseline, which adds the same jobs). */
  static jobOptions(key: string, delayMs?: number) {
    return {
      jobId: messageIdOf(key),
      delay: delayMs,
      // Each attempt makes one call (the client does not retry sends itself): 10 attempts, 2 s doubling, span ~17 min.
      attempts: 10,
      backoff: { type: 'exponential' as const, delay: 2000 },
      removeOnComplete: { age: 7 * 24 * 3600, count: 100_000 },
      removeOnFail: false,
    };
  }

  async enqueue(message: OutboundMessage, opts: { delayMs?: number } = {}): Promise<void> {
    await this.admit(message);
    await this.queue.add('send', message, SendQueue.jobOptions(message.key, opts.delayMs));
  }

  async enqueueMany(messages: OutboundMessage[]): Promise<void> {
    if (messages.length === 0) return;
    for (const m of messages) await this.admit(m);
    await this.queue.addBulk(messages.map((m) => ({ name: 'send', data: m, opts: SendQueue.jobOptions(m.key) })));
  }

  close(): Promise<void> {
    return this.queue.close();
  }
}

/**
 * The send queue's processor, thin: one attempt of the send use case (src/app/send-message.ts) per run, its outcome
 * mapped onto BullMQ — a wait becomes a move to the delayed set (DelayedError: not a failed attempt), a permanent
 * failure UnrecoverableError (the job stays listed, GET /api/send/failed), a thrown error a retry with backoff.
 */
export function startSendProcessor(deps: {
  connection: RedisClient;
  redisPrefix: string;
  sender: MessageSending;
  log: Logger;
  activity?: ActivityCounter;
  concurrency?: number;
  /** BullMQ lock and stall-check period (default BullMQ's 30 s): how soon a dead worker's jobs go back to the queue. */
  lockMs?: number;
}): Worker<OutboundMessage, SendResult> {
  const { log } = deps;
  const worker = new Worker<OutboundMessage, SendResult>(
    QUEUES.send,
    async (job: Job<OutboundMessage>, token?: string) => {
      const outcome = await deps.sender.attempt(job.data, job.id ?? messageIdOf(job.data.key));
      switch (outcome.kind) {
        case 'sent':
          return outcome.result;
        case 'wait':
          // BullMQ's delayed set runs on the wall clock (not the business clock, which tests and the demo move).
          await job.moveToDelayed(Date.now() + outcome.ms, token);
          throw new DelayedError();
        case 'failed':
          throw new UnrecoverableError(outcome.reason);
      }
    },
    { connection: deps.connection, prefix: bullPrefix(deps.redisPrefix), concurrency: deps.concurrency ?? 4, ...lockOptions(deps.lockMs) },
  );
  worker.on('failed', (job, err) => {
    if (!job || err instanceof DelayedError || err instanceof UnrecoverableError) return;
    const last = job.attemptsMade >= (job.opts.attempts ?? 1);
    if (!last) {
      log.warn({ reason: 'send.failed', jobId: job.id, attempt: job.attemptsMade, err: err.message }, 'send failed: will retry with backoff');
      return;
    }
    // Out of attempts: as loud as a permanent error, and listed for replay like one.
    log.error(
      { reason: 'send.gave_up', jobId: job.id, attempt: job.attemptsMade, touser: job.data.touser, err: err.message },
      'message not sent after its last attempt: listed under GET /api/send/failed',
    );
    void deps.activity?.count({ event: 'messages_failed', kind: 'attempts_exhausted' });
  });
  worker.on('error', (err) => log.error({ reason: 'send.worker_error', err: err.message }, 'send worker error'));
  return worker;
}
