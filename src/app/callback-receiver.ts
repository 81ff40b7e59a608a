import type { Clock } from '../domain/clock';
import { decodeAppPlaintext, decodeBotPlaintext, eventIdFor, parseAppEnvelope, parseBotEnvelope } from '../wecom/codec';
import { decryptVerified, verifySignature } from '../wecom/crypto';
import { CallbackError } from '../wecom/errors';
import type { InboxEnvelope } from '../wecom/events';
import type { EventInbox } from './ports';

export interface CallbackQuery {
  msg_signature?: string;
  timestamp?: string;
  nonce?: string;
  echostr?: string;
}

export interface ReceiverOptions {
  channel: 'app' | 'bot';
  token: string;
  aesKey: string;
  /** corp id for the self-built app, "" for the intelligent robot. */
  receiveId: string;
}

/**
 * Transport-free callback receiver (after bolt-js's receivers): it verifies raw bytes, decrypts, decodes into the
 * typed union and hands the envelope to the inbox. HTTP concerns (status codes, body limits) live in src/http.
 */
export class CallbackReceiver {
  constructor(
    private readonly opts: ReceiverOptions,
    private readonly inbox: EventInbox,
    private readonly clock: Clock,
  ) {}

  get channel(): 'app' | 'bot' {
    return this.opts.channel;
  }

  /** GET URL verification: returns the plaintext to echo. */
  verifyUrl(q: CallbackQuery): string {
    if (!q.echostr) throw new CallbackError('SIGNATURE_MISSING', 'echostr is required');
    verifySignature(this.opts.token, { signature: q.msg_signature, timestamp: q.timestamp, nonce: q.nonce }, q.echostr);
    // The app echostr carries the corp id; the robot's carries none (receiveid "").
    return decryptVerified(this.opts.aesKey, q.echostr, this.opts.receiveId);
  }

  /** Verifies, decrypts, decodes; does not store. Throws CallbackError. */
  open(q: CallbackQuery, rawBody: string): InboxEnvelope {
    const { channel } = this.opts;
    const { encrypt } = channel === 'app' ? parseAppEnvelope(rawBody) : parseBotEnvelope(rawBody);
    verifySignature(this.opts.token, { signature: q.msg_signature, timestamp: q.timestamp, nonce: q.nonce }, encrypt);
    const plaintext = decryptVerified(this.opts.aesKey, encrypt, this.opts.receiveId);
    const event = channel === 'app' ? decodeAppPlaintext(plaintext) : decodeBotPlaintext(plaintext);
    return { id: eventIdFor(channel, event, plaintext), channel, receivedAt: this.clock.now(), event, plaintext };
  }

  /** POST: open the callback and store it durably. Throws CallbackError or StoreUnavailableError. */
  async receive(q: CallbackQuery, rawBody: string): Promise<InboxEnvelope> {
    const envelope = this.open(q, rawBody);
    await this.inbox.record(envelope);
    return envelope;
  }
}
