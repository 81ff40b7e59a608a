import { randomUUID } from 'node:crypto';
import { DateTime } from 'luxon';
import type { Clock } from '../domain/clock';
import type { Logger } from '../log';
import { MESSAGE_BYTES, utf8Bytes, utf8Prefix } from '../domain/outsider-text';
import { WeComApiError } from '../wecom/api-errors';
import { assertMemberRecipients, RecipientRefusedError } from '../wecom/recipients';
import type { ActivityCounter, MessageChannel, MessageSending, OutboundMessage, RateSlots, SendOutcome, SendResult, SentMarks } from './ports';

export interface MessageSenderDeps {
  channel: MessageChannel;
  marks: SentMarks;
  limiter: RateSlots;
  clock: Clock;
  timeZone: string;
  log: Logger;
  /** Counts messages sent (by channel), robot-reply fallbacks, refusals and permanent failures, for metrics. */
  activity?: ActivityCounter;
  /** WeCom's duplicate-check window for message/send (config `send.duplicateCheckSeconds`). */
  duplicateCheckSeconds?: number;
  /** Called after a message went out (e.g. to remember a card's response_code). */
  onSent?: (message: OutboundMessage, result: SendResult) => Promise<void>;
}

/**
 * Sending one queued message, one attempt at a time (the send queue's processor calls it). Skip if this key was
 * already sent; refuse any recipient but members (the guard at the send boundary, again, for jobs queued by any
 * other means); reserve a slot in the member's rate windows and the app's daily quota — a new slot for every attempt,
 * since every attempt reaches WeCom — or answer how long to wait; make one call with `enable_duplicate_check` as the
 * second guard against a crash between sending and marking; mark the key as sent at once. Rate limits (45009) answer
 * the penalty window as a wait; permanent errors are logged, counted and answered as failed; transient ones throw, for
 * the queue to retry with backoff.
 */
export class MessageSender implements MessageSending {
  constructor(private readonly d: MessageSenderDeps) {}

  async attempt(queued: OutboundMessage, jobId: string): Promise<SendOutcome> {
    const { d } = this;
    const m = withinLimits(queued);
    const previous = await d.marks.get(m.key);
    if (previous) return { kind: 'sent', result: { status: 'already_sent', ...previous } };
    try {
      assertMemberRecipients(m.touser);
    } catch (err) {
      if (!(err instanceof RecipientRefusedError)) throw err;
      await d.activity?.count({ event: 'messages_refused', kind: err.why });
      return this.failed(m, 'recipient_refused', { why: err.why }, err.message);
    }

    const now = d.clock.now();
    if (m.viaRobot && now < m.viaRobot.expiresAt) {
      // A robot conversation: answer where the rep asked. The URL works once, so no retry on it — on any failure the
      // answer goes out as an app message below instead of being lost.
      try {
        await d.channel.replyInRobotChat(m.viaRobot.responseUrl, m.body);
        await d.marks.mark(m.key, { via: 'robot' });
        await d.activity?.count({ event: 'messages_sent', kind: 'robot' });
        return { kind: 'sent', result: { status: 'sent', via: 'robot' } };
      } catch (err) {
        d.log.warn(
          { reason: 'send.robot_reply_failed', code: (err as { code?: string }).code, err: (err as Error).message, touser: m.touser },
          'robot reply failed: sending it as an app message',
        );
        await d.activity?.count({ event: 'robot_reply_fallbacks' });
      }
    }
    const dayStart = DateTime.fromMillis(now, { zone: d.timeZone }).startOf('day');
    const day = { id: dayStart.toFormat('yyyyLLdd'), msUntilEnd: dayStart.plus({ days: 1 }).toMillis() - now };
    // Every attempt that may reach WeCom holds its own slot: a retry must not reuse the slot of the call before it.
    const slot = `${jobId}:${randomUUID()}`;
    const wait = await d.limiter.reserve(m.touser, slot, now, day);
    if (wait > 0) return { kind: 'wait', ms: wait };
    // Duplicate check: for nudges, and for any re-send after an attempt whose outcome we never learned.
    const window = d.duplicateCheckSeconds ?? 300;
    const uncertain = await d.marks.beginAttempt(m.key, window);
    const check = m.duplicateCheck || uncertain;
    let res;
    try {
      res = await d.channel.sendMessage(
        { ...m.body, touser: m.touser, agentid: d.channel.agentId, ...(check ? { enable_duplicate_check: 1 as const, duplicate_check_interval: window } : {}) },
        { once: true },
      );
    } catch (err) {
      await d.limiter.confirm(m.touser, slot, d.clock.now()); // it may have reached WeCom
      if (err instanceof WeComApiError || err instanceof RecipientRefusedError) await d.marks.endAttempt(m.key); // WeCom answered: not sent
      if (err instanceof WeComApiError && err.disposition === 'rate_limited') {
        d.log.warn({ reason: 'send.rate_limited', errcode: err.errcode, touser: m.touser }, 'WeCom rate limit: waiting out the penalty window');
        return { kind: 'wait', ms: err.retryAfterMs ?? 60_000 };
      }
      if (err instanceof RecipientRefusedError) return this.failed(m, 'recipient_refused', { why: err.why }, err.message);
      if (err instanceof WeComApiError && err.disposition === 'permanent')
        return this.failed(m, String(err.errcode), { errcode: err.errcode, hint: err.hint }, err.message);
      throw err; // transient (-1, network, token refused): the queue retries with backoff, with a new slot
    }
    // Marked first, before anything else can fail: the window in which a crash makes a re-send is this one write.
    await d.marks.mark(m.key, { msgid: res.msgid, responseCode: res.response_code });
    await d.marks.endAttempt(m.key);
    await d.limiter.confirm(m.touser, slot, d.clock.now());
    const result: SendResult = { status: 'sent', via: 'app', msgid: res.msgid, responseCode: res.response_code };
    await d.activity?.count({ event: 'messages_sent', kind: 'app' });
    if (res.invaliduser) d.log.warn({ reason: 'send.invalid_user', touser: m.touser }, 'WeCom did not deliver to an unknown user');
    await d.onSent?.(m, result);
    return { kind: 'sent', result };
  }

  private async failed(m: OutboundMessage, kind: string, detail: Record<string, unknown>, reason: string): Promise<SendOutcome> {
    this.d.log.error(
      { reason: 'send.permanent_error', kind, key: m.key, touser: m.touser, ...detail },
      'message cannot be sent: listed under GET /api/send/failed',
    );
    await this.d.activity?.count({ event: 'messages_failed', kind });
    return { kind: 'failed', reason };
  }
}

/**
 * The message as WeCom will take it whole: a text or markdown content over MESSAGE_BYTES (WeCom cuts a text there and
 * refuses a markdown) is cut at a character, marked with …. The copy already fits its lists (「…等 N 位」); this is the
 * last guard, for any message.
 */
function withinLimits(m: OutboundMessage): OutboundMessage {
  const b = m.body;
  if (b.msgtype === 'text' && utf8Bytes(b.text.content) > MESSAGE_BYTES)
    return { ...m, body: { msgtype: 'text', text: { content: utf8Prefix(b.text.content, MESSAGE_BYTES) } } };
  if (b.msgtype === 'markdown' && utf8Bytes(b.markdown.content) > MESSAGE_BYTES)
    return { ...m, body: { msgtype: 'markdown', markdown: { content: utf8Prefix(b.markdown.content, MESSAGE_BYTES) } } };
  return m;
}
