import type { Logger } from '../log';
import type * as T from './api-types';
import { ForeignResponseUrlError, WeComApiError, WeComNetworkError } from './api-errors';
import { assertMemberRecipients, RecipientRefusedError } from './recipients';

/** Where the client gets its access_token; implemented over Redis so every process shares one (src/store). */
export interface TokenProvider {
  get(): Promise<string>;
  /** The token was refused (40014/42001): drop it — only if it is still the cached one — so the next get() refreshes. */
  invalidate(badToken: string): Promise<void>;
}

export interface ApiClientOptions {
  baseUrl: string;
  corpId: string;
  secret: string;
  agentId: number;
  timeoutMs?: number;
  /** Attempts for transient failures (-1, network, timeout), including the first. */
  attempts?: number;
  backoffMs?: number;
  log: Logger;
  sleep?: (ms: number) => Promise<void>;
}

type Method = 'GET' | 'POST';

const PENALTY_MS: Record<number, number> = { 45009: 60_000, 45033: 1_000 };

/**
 * Typed WeCom server API client. Every call has a timeout; errcode ≠ 0 becomes a WeComApiError with the code, the API
 * and a hint; 40014/42001 refresh the token once and retry once; -1 and network failures retry with backoff;
 * rate limits surface with the penalty window for the caller (the send queue) to wait out; permanent errors are not
 * retried. The access_token never appears in a log line or an error message.
 */
export class WeComApiClient {
  private tokens?: TokenProvider;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(private readonly opts: ApiClientOptions) {
    this.sleep = opts.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
  }

  get agentId(): number {
    return this.opts.agentId;
  }

  useTokens(tokens: TokenProvider): this {
    this.tokens = tokens;
    return this;
  }

  /** gettoken: only the token cache calls this. */
  async fetchToken(): Promise<T.GetTokenResponse> {
    const res = await this.request<T.GetTokenResponse>('gettoken', 'GET', '/gettoken', { corpid: this.opts.corpId, corpsecret: this.opts.secret });
    if (res.errcode !== 0) throw this.apiError('gettoken', res);
    return res;
  }

  /**
   * message/send to members only (assertMemberRecipients: never a customer, never @all). `once`: no retry inside the
   * client, not even after a token refusal — the send queue makes every attempt itself, each with its own rate slot.
   */
  async sendMessage(req: T.SendMessageRequest, opts: { once?: boolean } = {}): Promise<T.SendMessageResponse> {
    this.guardRecipients('message/send', req.touser);
    const extra = req as unknown as Record<string, unknown>;
    if (extra.toparty || extra.totag) this.guardRecipients('message/send', '@all'); // we only ever address members by id
    return this.call('message/send', 'POST', '/message/send', {}, req, opts.once ? 1 : undefined);
  }
  async updateTemplateCard(req: T.UpdateTemplateCardRequest): Promise<T.WeComEnvelope> {
    if (req.atall) this.guardRecipients('message/update_template_card', '@all');
    if (req.userids) this.guardRecipients('message/update_template_card', req.userids);
    return this.call('message/update_template_card', 'POST', '/message/update_template_card', {}, req);
  }

  private guardRecipients(api: string, touser: string | readonly string[]): void {
    try {
      assertMemberRecipients(touser);
    } catch (err) {
      if (err instanceof RecipientRefusedError)
        this.opts.log.error({ reason: 'send.recipient_refused', api, why: err.why }, 'refused to message anyone but members');
      throw err;
    }
  }
  getExternalContact(externalUserId: string, cursor?: string): Promise<T.GetExternalContactResponse> {
    return this.call('externalcontact/get', 'GET', '/externalcontact/get', { external_userid: externalUserId, ...(cursor ? { cursor } : {}) });
  }
  listExternalContacts(userId: string): Promise<T.ListExternalContactResponse> {
    return this.call('externalcontact/list', 'GET', '/externalcontact/list', { userid: userId });
  }
  listGroupChats(req: T.GroupChatListRequest): Promise<T.GroupChatListResponse> {
    return this.call('externalcontact/groupchat/list', 'POST', '/externalcontact/groupchat/list', {}, req);
  }
  getGroupChat(chatId: string): Promise<T.GroupChatGetResponse> {
    return this.call('externalcontact/groupchat/get', 'POST', '/externalcontact/groupchat/get', {}, { chat_id: chatId, need_name: 1 });
  }
  addJoinWay(req: T.AddJoinWayRequest): Promise<T.AddJoinWayResponse> {
    return this.call('externalcontact/groupchat/add_join_way', 'POST', '/externalcontact/groupchat/add_join_way', {}, req);
  }
  getJoinWay(configId: string): Promise<T.GetJoinWayResponse> {
    return this.call('externalcontact/groupchat/get_join_way', 'POST', '/externalcontact/groupchat/get_join_way', {}, { config_id: configId });
  }
  addContactWay(req: T.AddContactWayRequest): Promise<T.AddContactWayResponse> {
    return this.call('externalcontact/add_contact_way', 'POST', '/externalcontact/add_contact_way', {}, req);
  }
  createMeeting(req: T.MeetingCreateRequest): Promise<T.MeetingCreateResponse> {
    return this.call('meeting/create', 'POST', '/meeting/create', {}, req);
  }
  getUserMeetingIds(req: T.GetUserMeetingIdsRequest): Promise<T.GetUserMeetingIdsResponse> {
    return this.call('meeting/get_user_meetingid', 'POST', '/meeting/get_user_meetingid', {}, req);
  }
  getMeetingInfo(meetingId: string): Promise<T.MeetingInfoResponse> {
    return this.call('meeting/get_info', 'POST', '/meeting/get_info', {}, { meetingid: meetingId });
  }
  /** auth/getuserinfo: the member behind a sign-in code. One attempt: a code is single use (§11.1.3). */
  getUserInfoByCode(code: string): Promise<T.GetUserInfoResponse> {
    return this.call('auth/getuserinfo', 'GET', '/auth/getuserinfo', { code }, undefined, 1);
  }

  /** The enterprise's JS-SDK ticket (ww.register's getConfigSignature); WeCom allows 400 an hour per corp: cache it. */
  getJsapiTicket(): Promise<T.TicketResponse> {
    return this.call('get_jsapi_ticket', 'GET', '/get_jsapi_ticket', {});
  }

  /** The app's JS-SDK ticket (agentConfig, getAgentConfigSignature): another ticket than the enterprise's. */
  getAgentConfigTicket(): Promise<T.TicketResponse> {
    return this.call('ticket/get', 'GET', '/ticket/get', { type: 'agent_config' });
  }

  getUser(userId: string): Promise<T.GetUserResponse> {
    return this.call('user/get', 'GET', '/user/get', { userid: userId });
  }

  private async call<R extends T.WeComEnvelope>(
    api: string,
    method: Method,
    path: string,
    query: Record<string, string>,
    body?: unknown,
    maxAttempts?: number,
  ): Promise<R> {
    if (!this.tokens) throw new Error('WeComApiClient: no token provider (call useTokens first)');
    const attempts = maxAttempts ?? this.opts.attempts ?? 3;
    const once = maxAttempts === 1;
    let refreshed = false;
    for (let attempt = 1; ; attempt++) {
      const token = await this.tokens.get();
      let res: R;
      try {
        res = await this.request<R>(api, method, path, { ...query, access_token: token }, body);
      } catch (err) {
        if (attempt < attempts) {
          this.opts.log.warn({ reason: 'wecom.network_retry', api, attempt, err: (err as Error).message }, 'WeCom call failed, retrying');
          await this.sleep(this.backoff(attempt));
          continue;
        }
        throw err;
      }
      if (res.errcode === 0) return res;
      const error = this.apiError(api, res);
      switch (error.disposition) {
        case 'refresh_token':
          if (once) {
            await this.tokens.invalidate(token); // the caller's next attempt gets a fresh token
            throw error;
          }
          if (refreshed) throw error;
          refreshed = true;
          this.opts.log.info({ reason: 'wecom.token_refused', api, errcode: res.errcode }, 'access_token refused: refreshing once');
          await this.tokens.invalidate(token);
          attempt--; // the refresh retry does not count against transient attempts
          continue;
        case 'transient':
          if (attempt < attempts) {
            this.opts.log.warn({ reason: 'wecom.busy_retry', api, attempt, errcode: res.errcode }, 'WeCom busy, retrying');
            await this.sleep(this.backoff(attempt));
            continue;
          }
          throw error;
        case 'rate_limited':
        case 'permanent':
          this.opts.log.warn({ reason: error.code, api, errcode: res.errcode, hint: error.hint }, 'WeCom call failed');
          throw error;
      }
    }
  }

  private backoff(attempt: number): number {
    const base = this.opts.backoffMs ?? 200;
    return base * 2 ** (attempt - 1) + Math.floor(Math.random() * base);
  }

  /**
   * Replies in a robot conversation through a callback's response_url (docs/wecom-protocol.md §3.4): unencrypted JSON, no
   * access_token, one call per URL, valid for an hour. Not retried — a second call on the same URL cannot succeed —
   * and only to WeCom's own endpoint on WECOM_API_BASE's host. Text goes as markdown (the endpoint takes markdown or a
   * card), with a "#" at a line start written "＃" so "#1 王总" stays a list line, not a heading.
   */
  async replyInRobotChat(responseUrl: string, body: T.MessageBody): Promise<void> {
    let url: URL;
    try {
      url = new URL(responseUrl);
    } catch {
      throw new ForeignResponseUrlError();
    }
    if (url.origin !== new URL(this.opts.baseUrl).origin || url.pathname !== '/cgi-bin/aibot/response') throw new ForeignResponseUrlError();
    const reply: T.RobotReplyBody = body.msgtype === 'text' ? { msgtype: 'markdown', markdown: { content: body.text.content.replace(/^#/gm, '＃') } } : body;
    const res = await this.fetchJson<T.WeComEnvelope>('aibot/response', 'POST', url.toString(), reply);
    if (res.errcode !== 0) throw this.apiError('aibot/response', res);
  }

  private apiError(api: string, res: T.WeComEnvelope): WeComApiError {
    return new WeComApiError(api, res.errcode, res.errmsg, PENALTY_MS[res.errcode]);
  }

  private request<R>(api: string, method: Method, path: string, query: Record<string, string>, body?: unknown): Promise<R> {
    return this.fetchJson<R>(api, method, `${this.opts.baseUrl}/cgi-bin${path}?${new URLSearchParams(query).toString()}`, body);
  }

  private async fetchJson<R>(api: string, method: Method, url: string, body?: unknown): Promise<R> {
    let response: Response;
    try {
      response = await fetch(url, {
        method,
        headers: body === undefined ? undefined : { 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(this.opts.timeoutMs ?? 5000),
      });
    } catch (err) {
      throw new WeComNetworkError(api, err);
    }
    let json: unknown;
    try {
      json = await response.json();
    } catch (err) {
      throw new WeComNetworkError(api, new Error(`HTTP ${response.status}, body is not JSON (${(err as Error).name})`));
    }
    if (!json || typeof json !== 'object' || typeof (json as T.WeComEnvelope).errcode !== 'number') {
      throw new WeComNetworkError(api, new Error(`HTTP ${response.status}, no errcode in the answer`));
    }
    return json as R;
  }
}
