import { createHash, randomUUID } from 'node:crypto';
import { DelayedError, Queue, UnrecoverableError, Worker, type Job } from 'bullmq';
import type Redis from 'ioredis';
import { DateTime } from 'luxon';
import type { ActivityCounter, MessageOutbox, OutboundMessage } from '../app/ports';
import type { Clock } from '../domain/clock';
import type { Logger } from '../log';
import type { SendLimiter } from '../store/send-limiter';
import type { WeComApiClient } from '../wecom/api-client';
import { WeComApiError } from '../wecom/api-errors';
import { assertMemberRecipients, RecipientRefusedError } from '../wecom/recipients';
import { bullPrefix, lockOptions, QUEUES } from './names';

export interface SendResult {
  status: 'sent' | 'already_sent';
  /** 'robot': answered in the robot conversation through its response_url. */
  via?: 'robot' | 'app';
  msgid?: string;
  responseCode?: string;
}


const jobIdFor = (key: string) => `send-${createHash('sha256').update(key).digest('hex').slice(0, 40)}`;
const sentKey = (prefix: string, key: string) => `${prefix}:{send}:sent:${jobIdFor(key)}`;

/** Producer side: one job per message key; adding the same key again is a no-op. */
export class SendQueue implements MessageOutbox {
  readonly queue: Queue<OutboundMessage>;
  constructor(
    connection: Redis,
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
      jobId: jobIdFor(key),
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

export interface SendWorkerDeps {
  connection: Redis;
  redis: Redis;
  redisPrefix: string;
  client: WeComApiClient;
  limiter: SendLimiter;
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

/**
 * Sends queued messages. Per job: skip if this key was already sent; refuse any recipient but members (the guard at
 * the send boundary, again, for jobs queued by any other means); reserve a slot in the member's rate windows and the
 * app's daily quota — a new slot for every attempt, since every attempt reaches WeCom (else wait in BullMQ's delayed
 * set while the other members' messages go on); make one call with `enable_duplicate_check` as the second guard
 * against a crash between sending and marking; mark the key as sent at once. Retries are BullMQ's, with backoff, each
 * taking its own slot; WeCom rate limits (45009) wait out the penalty window; permanent errors fail at once, are
 * logged and counted, and stay listed (GET /api/send/failed) for an operator to replay.
 */
export function startSendWorker(deps: SendWorkerDeps): Worker<OutboundMessage, SendResult> {
  const { log } = deps;
  const failPermanently = async (m: OutboundMessage, kind: string, detail: Record<string, unknown>, message: string): Promise<never> => {
    log.error({ reason: 'send.permanent_error', kind, key: m.key, touser: m.touser, ...detail }, 'message cannot be sent: listed under GET /api/send/failed');
    await deps.activity?.count({ event: 'messages_failed', kind });
    throw new UnrecoverableError(message);
  };
  const worker = new Worker<OutboundMessage, SendResult>(
    QUEUES.send,
    async (job: Job<OutboundMessage>, token?: string) => {
      const m = job.data;
      const marker = sentKey(deps.redisPrefix, m.key);
      const previous = await deps.redis.get(marker);
      if (previous) return { status: 'already_sent', ...(JSON.parse(previous) as Omit<SendResult, 'status'>) };
      try {
        assertMemberRecipients(m.touser);
      } catch (err) {
        if (!(err instanceof RecipientRefusedError)) throw err;
        await deps.activity?.count({ event: 'messages_refused', kind: err.why });
        return failPermanently(m, 'recipient_refused', { why: err.why }, err.message);
      }

      const now = deps.clock.now();
      if (m.viaRobot && now < m.viaRobot.expiresAt) {
        // A robot conversation: answer where the rep asked. The URL works once, so no retry on it — on any failure the
        // answer goes out as an app message below instead of being lost.
        try {
          await deps.client.replyInRobotChat(m.viaRobot.responseUrl, m.body);
          await deps.redis.set(marker, JSON.stringify({ via: 'robot' }), 'EX', 7 * 24 * 3600);
          await deps.activity?.count({ event: 'messages_sent', kind: 'robot' });
          return { status: 'sent', via: 'robot' };
        } catch (err) {
          log.warn({ reason: 'send.robot_reply_failed', code: (err as { code?: string }).code, err: (err as Error).message, touser: m.touser }, 'robot reply failed: sending it as an app message');
          await deps.activity?.count({ event: 'robot_reply_fallbacks' });
        }
      }
      const dayStart = DateTime.fromMillis(now, { zone: deps.timeZone }).startOf('day');
      const day = { id: dayStart.toFormat('yyyyLLdd'), msUntilEnd: dayStart.plus({ days: 1 }).toMillis() - now };
      // Every attempt that may reach WeCom holds its own slot: a retry must not reuse the slot of the call before it.
      const slot = `${job.id ?? m.key}:${randomUUID()}`;
      const wait = await deps.limiter.reserve(m.touser, slot, now, day);
      if (wait > 0) {
        // BullMQ's delayed set runs on the wall clock (not the business clock, which tests and the demo move).
        await job.moveToDelayed(Date.now() + wait, token);
        throw new DelayedError();
      }
      let res;
      try {
        res = await deps.client.sendMessage(
          { ...m.body, touser: m.touser, agentid: deps.client.agentId, enable_duplicate_check: 1, duplicate_check_interval: deps.duplicateCheckSeconds ?? 300 },
          { once: true },
        );
      } catch (err) {
        await deps.limiter.confirm(m.touser, slot, deps.clock.now()); // it may have reached WeCom
        if (err instanceof WeComApiError && err.disposition === 'rate_limited') {
          log.warn({ reason: 'send.rate_limited', errcode: err.errcode, touser: m.touser }, 'WeCom rate limit: waiting out the penalty window');
          await job.moveToDelayed(Date.now() + (err.retryAfterMs ?? 60_000), token);
          throw new DelayedError();
        }
        if (err instanceof RecipientRefusedError) return failPermanently(m, 'recipient_refused', { why: err.why }, err.message);
        if (err instanceof WeComApiError && err.disposition === 'permanent') return failPermanently(m, String(err.errcode), { errcode: err.errcode, hint: err.hint }, err.message);
        throw err; // transient (-1, network, token refused): BullMQ retries with backoff, with a new slot
      }
      // Marked first, before anything else can fail: the window in which a crash makes a re-send is this one write.
      await deps.redis.set(marker, JSON.stringify({ msgid: res.msgid, responseCode: res.response_code }), 'EX', 7 * 24 * 3600);
      await deps.limiter.confirm(m.touser, slot, deps.clock.now());
      const result: SendResult = { status: 'sent', via: 'app', msgid: res.msgid, responseCode: res.response_code };
      await deps.activity?.count({ event: 'messages_sent', kind: 'app' });
      if (res.invaliduser) log.warn({ reason: 'send.invalid_user', touser: m.touser }, 'WeCom did not deliver to an unknown user');
      await deps.onSent?.(m, result);
      return result;
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
    log.error({ reason: 'send.gave_up', jobId: job.id, attempt: job.attemptsMade, touser: job.data.touser, err: err.message }, 'message not sent after its last attempt: listed under GET /api/send/failed');
    void deps.activity?.count({ event: 'messages_failed', kind: 'attempts_exhausted' });
  });
  worker.on('error', (err) => log.error({ reason: 'send.worker_error', err: err.message }, 'send worker error'));
  return worker;
}
