import type { Clock } from '../domain/clock';
import { callbackIdOf, parseAppEnvelope, parseBotEnvelope, scanEncrypt } from '../wecom/codec';
import { decryptVerified, verifySignature } from '../wecom/crypto';
import { CallbackError } from '../wecom/errors';
import type { ReceivedCallback } from '../wecom/events';
import type { CallbackIntake, CallbackQuery, EventInbox } from './ports';

export interface ReceiverOptions {
  channel: 'app' | 'bot';
  token: string;
  aesKey: string;
  /** corp id for the self-built app, "" for the intelligent robot. */
  receiveId: string;
  /**
   * Freshness window of the signed timestamp, in seconds: older than `maxAgeSeconds` or more than `maxFutureSeconds`
   * ahead of our clock is refused (TIMESTAMP_STALE), so captured bytes cannot be replayed once their dedupe key has
   * expired. Wide enough for WeCom's retries and clock skew, far narrower than the dedupe TTL.
   */
  freshness?: { maxAgeSeconds: number; maxFutureSeconds: number };
}

/**
 * What WeCom's echostr decrypts to: a short random token (the official sample's is `1616140317555161061`). Anything
 * else — markup, JSON, a long text — means someone put a captured callback's Encrypt into a GET to have us decrypt it.
 */
const ECHO = /^[A-Za-z0-9_.~-]{1,128}$/;

/**
 * Transport-free callback receiver (after bolt-js's receivers): it verifies raw bytes, decrypts, decodes into the
 * typed union and hands the envelope to the inbox. HTTP concerns (status codes, body limits) live in src/http.
 */
export class CallbackReceiver implements CallbackIntake {
  constructor(
    private readonly opts: ReceiverOptions,
    private readonly inbox: EventInbox,
    private readonly clock: Clock,
  ) {}

  get channel(): 'app' | 'bot' {
    return this.opts.channel;
  }

  /** GET URL verification: returns the plaintext to echo, only when it looks like an echo (never a decrypted event). */
  verifyUrl(q: CallbackQuery): string {
    if (!q.echostr) throw new CallbackError('SIGNATURE_MISSING', 'echostr is required');
    verifySignature(this.opts.token, { signature: q.msg_signature, timestamp: q.timestamp, nonce: q.nonce }, q.echostr);
    this.checkFresh(q.timestamp, this.clock.now());
    // The app echostr carries the corp id; the robot's carries none (receiveid "").
    const echo = decryptVerified(this.opts.aesKey, q.echostr, this.opts.receiveId);
    if (!ECHO.test(echo)) throw new CallbackError('ECHOSTR_INVALID', `echostr decrypts to ${echo.length} characters that are not an echo token`);
    return echo;
  }

  /** The signed timestamp must be within the freshness window of `now` (checked after the signature). */
  private checkFresh(timestamp: string | undefined, now: number): void {
    const f = this.opts.freshness;
    if (!f) return;
    const ts = Number(timestamp);
    if (!/^\d{1,12}$/.test(timestamp ?? '') || !Number.isSafeInteger(ts)) throw new CallbackError('TIMESTAMP_STALE', 'timestamp is not a number of seconds');
    const skew = Math.floor(now / 1000) - ts;
    if (skew > f.maxAgeSeconds) throw new CallbackError('TIMESTAMP_STALE', `timestamp is ${skew} s old (window ${f.maxAgeSeconds} s)`);
    if (-skew > f.maxFutureSeconds) throw new CallbackError('TIMESTAMP_STALE', `timestamp is ${-skew} s ahead (window ${f.maxFutureSeconds} s)`);
  }

  /**
   * Verifies, decrypts and keys the callback (see callbackIdOf: the worker decodes it); does not store. Throws
   * CallbackError.
   */
  open(q: CallbackQuery, rawBody: string): ReceivedCallback {
    const { channel } = this.opts;
    // Signature before parse: the Encrypt is found by a bounded scan and verified; only a signed body is parsed.
    const encrypt = scanEncrypt(channel, rawBody);
    verifySignature(this.opts.token, { signature: q.msg_signature, timestamp: q.timestamp, nonce: q.nonce }, encrypt);
    const receivedAt = this.clock.now();
    this.checkFresh(q.timestamp, receivedAt);
    const parsed = channel === 'app' ? parseAppEnvelope(rawBody) : parseBotEnvelope(rawBody);
    if (parsed.encrypt !== encrypt) throw new CallbackError('ENVELOPE_MALFORMED', 'the signed Encrypt is not the one the body holds');
    const plaintext = decryptVerified(this.opts.aesKey, encrypt, this.opts.receiveId);
    return { id: callbackIdOf(channel, plaintext), channel, receivedAt, plaintext };
  }

  /** POST: open the callback and store it durably. Throws CallbackError or StoreUnavailableError. */
  async receive(q: CallbackQuery, rawBody: string): Promise<ReceivedCallback> {
    const callback = this.open(q, rawBody);
    await this.inbox.record(callback);
    return callback;
  }
}
