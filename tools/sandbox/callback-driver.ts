import { randomBytes } from 'node:crypto';
import { encryptFor, signCallback } from '../../src/wecom/crypto';
import type { WeComEvent } from '../../src/wecom/events';
import { encodeAppEvent, encodeBotEvent } from './event-xml';

export interface DriverSecrets {
  token: string;
  aesKey: string;
  /** corp id for app callbacks; robot callbacks always use "". */
  corpId: string;
}

export interface SignedRequest {
  path: string;
  query: { msg_signature: string; timestamp: string; nonce: string; echostr?: string };
  body: string;
  contentType: string;
}

export interface DeliveryResult {
  status: number;
  body: string;
  attempts: number;
}

const qs = (q: Record<string, string | undefined>) =>
  Object.entries(q)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}=${encodeURIComponent(v as string)}`)
    .join('&');

/**
 * Plays WeCom's side of the callback protocol: builds correctly signed, encrypted callbacks (app XML, robot JSON)
 * and delivers them over HTTP the way WeCom does — same body on every retry, up to 3 retries on a non-200.
 */
export class CallbackDriver {
  private nonceSeq = 0;
  constructor(
    private readonly baseUrl: string,
    private readonly app: DriverSecrets,
    private readonly bot?: Omit<DriverSecrets, 'corpId'>,
    private readonly clock: () => number = () => Date.now(),
  ) {}

  private stamp(): { timestamp: string; nonce: string } {
    return { timestamp: String(Math.floor(this.clock() / 1000)), nonce: `${Date.now() % 1e6}${++this.nonceSeq}` };
  }

  /** A signed app callback carrying this plaintext XML. */
  appRequest(plaintextXml: string, opts: { random?: Buffer } = {}): SignedRequest {
    const encrypt = encryptFor(this.app.aesKey, plaintextXml, this.app.corpId, opts.random ?? randomBytes(16));
    const { timestamp, nonce } = this.stamp();
    const msg_signature = signCallback(this.app.token, timestamp, nonce, encrypt);
    const agent = /<AgentID>(?:<!\[CDATA\[)?(\d+)/.exec(plaintextXml)?.[1] ?? '1';
    const body = `<xml><ToUserName><![CDATA[${this.app.corpId}]]></ToUserName><Encrypt><![CDATA[${encrypt}]]></Encrypt><AgentID><![CDATA[${agent}]]></AgentID></xml>`;
    return { path: '/wecom/callback', query: { msg_signature, timestamp, nonce }, body, contentType: 'text/xml' };
  }

  /** A signed robot callback carrying this plaintext JSON. */
  botRequest(plaintextJson: string): SignedRequest {
    if (!this.bot) throw new Error('the driver has no robot secrets');
    const encrypt = encryptFor(this.bot.aesKey, plaintextJson, '');
    const { timestamp, nonce } = this.stamp();
    const msg_signature = signCallback(this.bot.token, timestamp, nonce, encrypt);
    return { path: '/wecom/bot', query: { msg_signature, timestamp, nonce }, body: JSON.stringify({ encrypt }), contentType: 'application/json' };
  }

  /** The signed request for any event of the typed union (robot kinds go to /wecom/bot). */
  requestFor(event: WeComEvent): SignedRequest {
    return event.kind === 'bot_message' || event.kind === 'bot_event'
      ? this.botRequest(encodeBotEvent(event))
      : this.appRequest(encodeAppEvent(event, this.app.corpId));
  }

  /** A GET URL-verification request, as WeCom sends when the admin saves the callback URL. */
  verifyRequest(channel: 'app' | 'bot', echo: string): { path: string; url: string } {
    const secrets = channel === 'app' ? this.app : this.bot;
    if (!secrets) throw new Error('the driver has no robot secrets');
    const echostr = encryptFor(secrets.aesKey, echo, channel === 'app' ? this.app.corpId : '');
    const { timestamp, nonce } = this.stamp();
    const msg_signature = signCallback(secrets.token, timestamp, nonce, echostr);
    const path = channel === 'app' ? '/wecom/callback' : '/wecom/bot';
    return { path, url: `${this.baseUrl}${path}?${qs({ msg_signature, timestamp, nonce, echostr })}` };
  }

  /** Delivers a request; on a non-200 or a network error, re-sends the identical request up to `retries` times. */
  async deliver(req: SignedRequest, opts: { retries?: number; retryDelayMs?: number; timeoutMs?: number } = {}): Promise<DeliveryResult> {
    const retries = opts.retries ?? 3;
    let last: DeliveryResult = { status: 0, body: '', attempts: 0 };
    for (let attempt = 1; attempt <= retries + 1; attempt++) {
      try {
        const res = await fetch(`${this.baseUrl}${req.path}?${qs(req.query)}`, {
          method: 'POST',
          headers: { 'content-type': req.contentType },
          body: req.body,
          signal: AbortSignal.timeout(opts.timeoutMs ?? 5000),
        });
        last = { status: res.status, body: await res.text(), attempts: attempt };
        if (res.status === 200) return last;
      } catch (err) {
        last = { status: 0, body: (err as Error).message, attempts: attempt };
      }
      if (attempt <= retries) await new Promise((r) => setTimeout(r, opts.retryDelayMs ?? 0));
    }
    return last;
  }

  /** Builds and delivers the callback for an event. */
  async send(event: WeComEvent, opts?: Parameters<CallbackDriver['deliver']>[1]): Promise<DeliveryResult> {
    return this.deliver(this.requestFor(event), opts);
  }
}
