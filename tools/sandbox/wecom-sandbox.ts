import { createHash, randomBytes } from 'node:crypto';
import type { ArchiveMessage, SandboxArchive } from './archive';
import { clientBridgeScript, type ClientContext } from './client-bridge';
import type { Server } from 'node:http';
import Router from '@koa/router';
import Koa from 'koa';
import getRawBody from 'raw-body';
import type * as T from '../../src/wecom/api-types';
import { OAuthPages } from './oauth-pages';

/**
 * A local stand-in for WeCom's server API: the documented endpoints, shapes and errors (docs/wecom-protocol.md §5), over
 * real HTTP. It keeps every message sent to a member as that member's inbox. It is a test double for WeCom, not
 * for our code: the bot talks to it through the same client it uses in production.
 */

export interface SandboxUser {
  userid: string;
  name: string;
  direct_leader?: string[];
  department?: number[];
  position?: string;
  mobile?: string;
  /** 1 active (the default), 2 disabled, 4 not yet activated, 5 left the company. */
  status?: number;
}

export interface SandboxContact {
  contact: T.ExternalContact;
  follow_user: T.FollowUser[];
}

export interface InboxMessage {
  seq: number;
  at: number;
  msgid: string;
  touser: string;
  msgtype: string;
  body: T.MessageBody;
  /** For button cards: the code update_template_card needs. */
  response_code?: string;
  /** Updates applied to this card, latest last. */
  updates: T.UpdateTemplateCardRequest[];
  /** 'robot': a reply in the intelligent robot's conversation (through a response_url); otherwise an app message. */
  channel?: 'robot';
}

export interface SandboxOptions {
  corpId: string;
  secret: string;
  agentId: number;
  /** Seconds a token lives (7200 at WeCom). */
  tokenTtlSeconds?: number;
  /** Per-member message limits (WeCom: 30/min, 1000/h). */
  perMemberPerMinute?: number;
  perMemberPerHour?: number;
  /** Length of the "minute" and "hour" windows, so tests can scale time. */
  minuteMs?: number;
  hourMs?: number;
  /** 'error': answer 45009 over the limit (the issue's contract); 'drop': answer ok and drop, as WeCom documents. */
  overLimit?: 'error' | 'drop';
  /** Caller IPs allowed (企业可信IP); unset = any. */
  trustedIps?: string[];
  clock?: () => number;
}

interface Fault {
  errcode: number;
  remaining: number;
  delayMs?: number;
}

export class WeComSandbox {
  readonly users = new Map<string, SandboxUser>();
  readonly contacts = new Map<string, SandboxContact>();
  readonly groups = new Map<string, T.GroupChat & { status: number }>();
  readonly joinWays = new Map<string, T.AddJoinWayRequest & { config_id: string; qr_code: string }>();
  readonly meetings: (T.MeetingCreateRequest & { meetingid: string; meeting_link: string; cancelled?: boolean })[] = [];
  /** Who joined each meeting, as get_info reports it once the meeting has started (attend() records it). */
  private readonly attendance = new Map<string, { member: T.MeetingAttendee[]; tmp_external_user: T.MeetingAttendee[] }>();
  readonly inboxes = new Map<string, InboxMessage[]>();
  /** WeCom's member sign-in pages and codes (oauth-pages.ts). */
  readonly oauth = new OAuthPages(this);
  /**
   * Every call, for assertions: api name, the time it was made (the sandbox clock, and the wall clock), its errcode, and
   * for message/send the touser it was addressed to — whatever the answer, duplicates and refusals included.
   */
  readonly calls: { api: string; at: number; wallAt: number; errcode: number; touser?: string }[] = [];
  private readonly tokens = new Map<string, number>(); // token → expiresAt
  private readonly sendTimes = new Map<string, number[]>();
  private readonly duplicateCheck = new Map<string, number>();
  private readonly responseCodes = new Map<string, { msg: InboxMessage; expiresAt: number; used: boolean }>();
  private readonly faults = new Map<string, Fault[]>();
  private seq = 0;
  private server?: Server;
  private baseUrl?: string;
  private readonly robotCodes = new Map<string, { userid: string; expiresAt: number; used: boolean }>();
  private listeners: ((m: InboxMessage) => void)[] = [];
  /** Which chat the client stand-in is in (client-bridge.ts); tests and GET /sandbox/client set it. */
  client: ClientContext = { entry: 'single_chat_tools', userId: 'zhangsan', externalUserId: 'woWANG0000000001' };
  /** Told when the client stand-in opens a group (openEnterpriseChat): the CLI sends the bot WeCom's callback. */
  onChatOpened?: (chatId: string) => Promise<void>;

  /** The chat archive the stub SDK serves from, when this sandbox plays one (POST /sandbox/archive). */
  archive?: SandboxArchive;
  readonly opts: Required<Omit<SandboxOptions, 'trustedIps'>> & { trustedIps?: string[] };

  constructor(opts: SandboxOptions) {
    this.opts = {
      tokenTtlSeconds: 7200,
      perMemberPerMinute: 30,
      perMemberPerHour: 1000,
      minuteMs: 60_000,
      hourMs: 3_600_000,
      overLimit: 'error',
      clock: () => Date.now(),
      ...opts,
    };
  }

  // ---- seeding and control -------------------------------------------------------------------------------------

  /**
   * Records who joined a meeting and for how many minutes: members by userid, customer-side people (WeCom gives them a
   * per-meeting temporary id) by minutes only. A meeting nobody joined ends as status 5 (expired).
   */
  attend(meetingid: string, who: { members?: { userid: string; minutes: number }[]; externals?: number[] }): this {
    const m = this.meetings.find((x) => x.meetingid === meetingid);
    if (!m) throw new Error(`no meeting ${meetingid}`);
    const at = m.meeting_start;
    const row = (minutes: number) => ({
      status: 1,
      first_join_time: at,
      last_quit_time: at + minutes * 60,
      total_join_count: 1,
      cumulative_time: minutes * 60,
    });
    this.attendance.set(meetingid, {
      member: (who.members ?? []).map((x) => ({ userid: x.userid, ...row(x.minutes) })),
      tmp_external_user: (who.externals ?? []).map((minutes, i) => ({ tmp_external_userid: `wotmp${meetingid.slice(-6)}${i}`, ...row(minutes) })),
    });
    return this;
  }

  addUser(u: SandboxUser): this {
    this.users.set(u.userid, u);
    return this;
  }

  /** A member leaves the company (deleted from the directory): user/get answers 60111 from now on. */
  removeUser(userid: string): this {
    this.users.delete(userid);
    return this;
  }

  addContact(contact: T.ExternalContact, followers: (Partial<T.FollowUser> & { userid: string })[]): this {
    const now = Math.floor(this.opts.clock() / 1000);
    this.contacts.set(contact.external_userid, { contact, follow_user: followers.map((f) => ({ createtime: now, ...f })) });
    return this;
  }

  /** Creates or replaces a customer group (members of type 2 are customers). */
  setGroup(g: Omit<T.GroupChat, 'member_version' | 'create_time'> & { create_time?: number; status?: number }): this {
    const version = randomBytes(16).toString('hex');
    this.groups.set(g.chat_id, { create_time: Math.floor(this.opts.clock() / 1000), status: 0, ...g, member_version: version });
    return this;
  }

  /** Revokes every token now, as WeCom may do "for operational reasons" before expiry. */
  expireTokens(): void {
    for (const t of this.tokens.keys()) this.tokens.set(t, 0);
  }

  /** The next `times` calls of `api` fail with `errcode` (or, with delayMs, answer that late). */
  failNext(api: string, errcode: number, times = 1, delayMs?: number): void {
    const list = this.faults.get(api) ?? [];
    list.push({ errcode, remaining: times, delayMs });
    this.faults.set(api, list);
  }

  clearFaults(): void {
    this.faults.clear();
  }

  /**
   * The response_url WeCom puts in a robot callback from this member: one call, valid for an hour (docs/wecom-protocol.md §3.4).
   * Tests and the callback driver put it into the robot events they send.
   */
  robotResponseUrl(userid: string): string {
    if (!this.baseUrl) throw new Error('the sandbox is not listening yet');
    const code = randomBytes(16).toString('hex');
    this.robotCodes.set(code, { userid, expiresAt: this.opts.clock() + 3_600_000, used: false });
    return `${this.baseUrl}/cgi-bin/aibot/response?response_code=${code}`;
  }

  inbox(userid: string): InboxMessage[] {
    return this.inboxes.get(userid.toLowerCase()) ?? [];
  }

  onMessage(listener: (m: InboxMessage) => void): void {
    this.listeners.push(listener);
  }

  count(api: string): number {
    return this.calls.filter((c) => c.api === api).length;
  }

  // ---- HTTP -----------------------------------------------------------------------------------------------------

  async listen(port = 0, host = '127.0.0.1'): Promise<string> {
    const app = this.app();
    this.server = await new Promise<Server>((resolve) => {
      const s = app.listen(port, host, () => resolve(s));
    });
    const a = this.server.address();
    this.baseUrl = `http://${host}:${typeof a === 'object' && a ? a.port : port}`;
    return this.baseUrl;
  }

  async close(): Promise<void> {
    const s = this.server;
    if (!s) return;
    await new Promise<void>((r) => {
      s.close(() => r());
      s.closeAllConnections();
    });
  }

  app(): Koa {
    const app = new Koa();
    const r = new Router({ prefix: '/cgi-bin' });
    const api =
      (name: string, handler: (ctx: Koa.Context, body: Record<string, unknown>) => Record<string, unknown> | Promise<Record<string, unknown>>, auth = true) =>
      async (ctx: Koa.Context) => {
        let body: Record<string, unknown> = {};
        if (ctx.method === 'POST') {
          try {
            const raw = await getRawBody(ctx.req, { limit: '2mb', encoding: 'utf8' });
            body = raw ? (JSON.parse(raw) as Record<string, unknown>) : {};
          } catch {
            return this.answer(ctx, name, this.err(47001, 'data format error'));
          }
        }
        ctx.state.touser = typeof body.touser === 'string' ? body.touser : undefined;
        const fault = this.takeFault(name);
        if (fault?.delayMs) await new Promise((res) => setTimeout(res, fault.delayMs));
        if (fault && fault.errcode !== 0) return this.answer(ctx, name, this.err(fault.errcode, 'injected by the sandbox'));
        if (this.opts.trustedIps && !this.opts.trustedIps.includes(ctx.ip.replace(/^::ffff:/, ''))) {
          return this.answer(ctx, name, this.err(60020, `not allow to access from your ip, from ip: ${ctx.ip}`));
        }
        if (auth) {
          const token = ctx.query.access_token;
          if (typeof token !== 'string' || token === '') return this.answer(ctx, name, this.err(41001, 'access_token missing'));
          const exp = this.tokens.get(token);
          if (exp === undefined) return this.answer(ctx, name, this.err(40014, `invalid access_token, token: ${token.slice(0, 4)}…`));
          if (exp <= this.opts.clock()) return this.answer(ctx, name, this.err(42001, 'access_token expired'));
        }
        this.answer(ctx, name, await handler(ctx, body));
      };

    r.get(
      '/gettoken',
      api('gettoken', (ctx) => this.getToken(String(ctx.query.corpid ?? ''), String(ctx.query.corpsecret ?? '')), false),
    );
    // The JS-SDK tickets: the enterprise's (config) and the app's (agentConfig), 7200 s each; the client stand-in
    // (client-bridge.ts) checks a page's signatures against them.
    r.get(
      '/get_jsapi_ticket',
      api('get_jsapi_ticket', () => this.issueTicket('corp')),
    );
    r.get(
      '/ticket/get',
      api('ticket/get', (ctx) => (ctx.query.type === 'agent_config' ? this.issueTicket('agent') : this.err(40001, 'invalid ticket type'))),
    );
    r.post(
      '/message/send',
      api('message/send', (_ctx, b) => this.send(b as unknown as T.SendMessageRequest)),
    );
    r.post(
      '/message/update_template_card',
      api('message/update_template_card', (_ctx, b) => this.updateCard(b as unknown as T.UpdateTemplateCardRequest)),
    );
    r.get(
      '/externalcontact/get',
      api('externalcontact/get', (ctx) => this.getContact(String(ctx.query.external_userid ?? ''))),
    );
    r.get(
      '/externalcontact/list',
      api('externalcontact/list', (ctx) => this.listContacts(String(ctx.query.userid ?? ''))),
    );
    r.post(
      '/externalcontact/groupchat/list',
      api('externalcontact/groupchat/list', (_ctx, b) => this.listGroups(b as unknown as T.GroupChatListRequest)),
    );
    r.post(
      '/externalcontact/groupchat/get',
      api('externalcontact/groupchat/get', (_ctx, b) => this.getGroup(String(b.chat_id ?? ''))),
    );
    r.post(
      '/externalcontact/groupchat/add_join_way',
      api('externalcontact/groupchat/add_join_way', (_ctx, b) => this.addJoinWay(b as unknown as T.AddJoinWayRequest)),
    );
    r.post(
      '/externalcontact/groupchat/get_join_way',
      api('externalcontact/groupchat/get_join_way', (_ctx, b) => this.getJoinWay(String(b.config_id ?? ''))),
    );
    r.post(
      '/externalcontact/add_contact_way',
      api('externalcontact/add_contact_way', (_ctx, b) => this.addContactWay(b as unknown as T.AddContactWayRequest)),
    );
    r.post(
      '/aibot/response',
      api('aibot/response', (ctx, b) => this.robotReply(String(ctx.query.response_code ?? ''), b as unknown as T.RobotReplyBody), false),
    );
    r.post(
      '/meeting/create',
      api('meeting/create', (_ctx, b) => this.createMeeting(b as unknown as T.MeetingCreateRequest)),
    );
    r.post(
      '/meeting/get_user_meetingid',
      api('meeting/get_user_meetingid', (_ctx, b) => this.userMeetingIds(b as unknown as T.GetUserMeetingIdsRequest)),
    );
    r.post(
      '/meeting/get_info',
      api('meeting/get_info', (_ctx, b) => this.meetingInfo(String(b.meetingid ?? ''))),
    );
    r.post(
      '/meeting/cancel',
      api('meeting/cancel', (_ctx, b) => this.cancelMeeting(String(b.meetingid ?? ''))),
    );
    r.get(
      '/auth/getuserinfo',
      api('auth/getuserinfo', (ctx) => this.oauth.redeem(String(ctx.query.code ?? ''))),
    );
    r.get(
      '/user/get',
      api('user/get', (ctx) => this.getUser(String(ctx.query.userid ?? ''))),
    );

    // Sandbox-only routes: read a member's inbox (the CLI prints it), revoke tokens.
    const s = new Router({ prefix: '/sandbox' });
    s.get('/inbox/:userid', (ctx) => {
      ctx.body = { userid: ctx.params.userid, messages: this.inbox(ctx.params.userid ?? '') };
    });
    const json = async (ctx: Koa.Context) => JSON.parse((await getRawBody(ctx.req, { limit: '2mb', encoding: 'utf8' })) || '{}') as Record<string, unknown>;
    s.post('/users', async (ctx) => {
      const u = (await json(ctx)) as unknown as SandboxUser;
      this.addUser(u);
      ctx.body = { ok: true };
    });
    s.post('/contacts', async (ctx) => {
      const b = (await json(ctx)) as unknown as { contact: T.ExternalContact; follow_user: T.FollowUser[] };
      this.addContact(b.contact, b.follow_user);
      ctx.body = { ok: true };
    });
    // The WeCom client's stand-in for sidebar pages (client-bridge.ts): its bridge script, its signature check, the
    // groups it opens, and a link that puts it in a member's chat with a customer, then opens the sidebar.
    const cors = (ctx: Koa.Context) => ctx.set('Access-Control-Allow-Origin', '*');
    s.get('/client-bridge.js', (ctx) => {
      ctx.type = 'text/javascript; charset=utf-8';
      ctx.set('Cache-Control', 'no-store');
      ctx.body = clientBridgeScript(this.baseUrl ?? '', this.client);
    });
    s.post('/client/verify', async (ctx) => {
      cors(ctx);
      const b = (await json(ctx)) as {
        kind?: string;
        url?: string;
        corpid?: string;
        agentid?: string;
        nonceStr?: string;
        timestamp?: number;
        signature?: string;
      };
      const kind = b.kind === 'corp' ? 'corp' : 'agent';
      const ok =
        b.corpid === this.opts.corpId &&
        (kind === 'corp' || String(b.agentid) === String(this.opts.agentId)) &&
        this.verifyJsSignature(kind, {
          url: String(b.url ?? ''),
          nonceStr: String(b.nonceStr ?? ''),
          timestamp: Number(b.timestamp),
          signature: String(b.signature ?? ''),
        });
      this.calls.push({ api: `client/${kind === 'corp' ? 'config' : 'agentConfig'}`, at: this.opts.clock(), wallAt: Date.now(), errcode: ok ? 0 : 40093 });
      ctx.body = { ok };
    });
    s.post('/client/open-chat', async (ctx) => {
      cors(ctx);
      const b = (await json(ctx)) as { owner?: string; userIds?: string; externalUserIds?: string; groupName?: string };
      const split = (v?: string) => (v ?? '').split(';').filter(Boolean);
      const owner = String(b.owner ?? this.client.userId);
      const staff = [...new Set([owner, ...split(b.userIds)])];
      const customers = split(b.externalUserIds);
      if (customers.length === 0) return void (ctx.body = { message: 'no external user' });
      const chatId = `wrSB${randomBytes(6).toString('hex')}`;
      const now = Math.floor(this.opts.clock() / 1000);
      this.setGroup({
        chat_id: chatId,
        name: String(b.groupName ?? ''),
        owner,
        member_list: [
          ...staff.map((userid) => ({ userid, type: 1 as const, join_time: now, join_scene: 1 })),
          ...customers.map((userid) => ({ userid, type: 2 as const, join_time: now, join_scene: 1, invitor: { userid: owner } })),
        ],
      });
      await this.onChatOpened?.(chatId);
      ctx.body = { chatId };
    });
    s.get('/client', (ctx) => {
      const q = ctx.query as Record<string, string | undefined>;
      const entry = q.chat ? 'group_chat_tools' : 'single_chat_tools';
      this.client = { entry, userId: q.user ?? this.client.userId, externalUserId: q.external ?? this.client.externalUserId, chatId: q.chat };
      ctx.redirect(`${q.to ?? 'http://localhost:3000'}/sidebar`);
    });
    // WeCom's chat archive (archive.ts): messages appended for the stub SDK to serve, sealed as WeCom seals them.
    s.post('/archive', async (ctx) => {
      const b = (await json(ctx)) as { messages?: ArchiveMessage[]; version?: number };
      if (!this.archive) {
        ctx.status = 404;
        ctx.body = { error: 'ARCHIVE_OFF', message: 'this sandbox has no chat archive (npm run sandbox starts one)' };
        return;
      }
      ctx.body = { seqs: this.archive.append(b.messages ?? [], b.version ?? 1) };
    });
    s.post('/groups', async (ctx) => {
      this.setGroup((await json(ctx)) as unknown as T.GroupChat);
      ctx.body = { ok: true };
    });
    s.post('/meetings/:id/attendance', async (ctx) => {
      this.attend(ctx.params.id ?? '', (await json(ctx)) as { members?: { userid: string; minutes: number }[]; externals?: number[] });
      ctx.body = { ok: true };
    });
    s.post('/expire-tokens', (ctx) => {
      this.expireTokens();
      ctx.body = { ok: true };
    });
    app.use(r.routes()).use(s.routes()).use(this.oauth.routes());
    app.use(async (ctx) => {
      ctx.status = 404;
      ctx.body = { errcode: 404, errmsg: `no such API in the sandbox: ${ctx.path}` };
    });
    return app;
  }

  // ---- endpoints ------------------------------------------------------------------------------------------------

  private getToken(corpid: string, secret: string): Record<string, unknown> {
    if (corpid !== this.opts.corpId) return this.err(40013, 'invalid corpid');
    if (secret !== this.opts.secret) return this.err(40001, 'invalid secret');
    const token = `sbx_${randomBytes(24).toString('hex')}`;
    this.tokens.set(token, this.opts.clock() + this.opts.tokenTtlSeconds * 1000);
    return { errcode: 0, errmsg: 'ok', access_token: token, expires_in: this.opts.tokenTtlSeconds };
  }

  private send(req: T.SendMessageRequest): Record<string, unknown> {
    if (req.agentid !== this.opts.agentId) return this.err(301002, 'not allow to operate another agent');
    if (!['text', 'markdown', 'template_card'].includes(req.msgtype)) return this.err(40008, 'invalid message type');
    const check = this.validateBody(req);
    if (check) return check;
    const recipients = String(req.touser ?? '')
      .split('|')
      .filter(Boolean);
    const valid = recipients.filter((u) => this.users.has(u));
    const invalid = recipients.filter((u) => !this.users.has(u));
    if (valid.length === 0) return this.err(81013, 'user & party & tag all invalid');
    const now = this.opts.clock();

    // WeCom's duplicate check (message/send, enable_duplicate_check): a message whose content and recipients equal one
    // sent within duplicate_check_interval (default 1800 s) is answered ok and silently not delivered. Every message
    // sent is remembered; only one that asks for the check is dropped (the stricter reading of the docs).
    const { touser: _t, agentid: _a, enable_duplicate_check: dupCheck, duplicate_check_interval: interval, ...content } = req;
    const dupKey = `${[...recipients].sort().join('|')}|${JSON.stringify(content)}`;
    const last = this.duplicateCheck.get(dupKey);
    if (dupCheck === 1 && last !== undefined && now - last < (interval ?? 1800) * 1000) return { errcode: 0, errmsg: 'ok', msgid: `dup_${this.seq}` };
    this.duplicateCheck.set(dupKey, now);

    const msgid = `msg_${++this.seq}_${randomBytes(4).toString('hex')}`;
    const responseCode = req.msgtype === 'template_card' ? `rc_${randomBytes(12).toString('hex')}` : undefined;
    for (const u of valid) {
      const times = (this.sendTimes.get(u) ?? []).filter((t) => now - t < this.opts.hourMs);
      const lastMinute = times.filter((t) => now - t < this.opts.minuteMs).length;
      if (lastMinute >= this.opts.perMemberPerMinute || times.length >= this.opts.perMemberPerHour) {
        if (this.opts.overLimit === 'error') return this.err(45009, 'api freq out of limit');
        continue; // WeCom silently drops what exceeds the per-member limit
      }
      times.push(now);
      this.sendTimes.set(u, times);
      const key = u.toLowerCase();
      const m: InboxMessage = {
        seq: this.seq,
        at: now,
        msgid,
        touser: key,
        msgtype: req.msgtype,
        body: pickBody(req),
        response_code: responseCode,
        updates: [],
      };
      this.inboxes.set(key, [...(this.inboxes.get(key) ?? []), m]);
      if (responseCode) this.responseCodes.set(responseCode, { msg: m, expiresAt: now + 72 * 3_600_000, used: false });
      for (const l of this.listeners) l(m);
    }
    return {
      errcode: 0,
      errmsg: 'ok',
      ...(invalid.length ? { invaliduser: invalid.map((u) => u.toLowerCase()).join('|') } : {}),
      msgid,
      ...(responseCode ? { response_code: responseCode } : {}),
    };
  }

  private validateBody(req: T.SendMessageRequest): Record<string, unknown> | undefined {
    if (req.msgtype === 'text' && !req.text?.content) return this.err(41009, 'missing text content');
    if (req.msgtype === 'markdown' && !req.markdown?.content) return this.err(41009, 'missing markdown content');
    // WeCom: markdown content "最长不超过2048个字节" — refused beyond (a text beyond it is cut: see send()).
    if (req.msgtype === 'markdown' && Buffer.byteLength(req.markdown.content) > CONTENT_BYTES) return this.err(45002, 'content size out of limit');
    if (req.msgtype === 'template_card') {
      const c = req.template_card;
      if (!c || c.card_type !== 'button_interaction') return this.err(40058, 'template_card.card_type must be button_interaction here');
      if (!c.task_id || !/^[0-9a-zA-Z_\-@]{1,128}$/.test(c.task_id)) return this.err(40058, 'invalid task_id');
      if (!c.main_title?.title) return this.err(40058, 'missing main_title.title');
      if (!Array.isArray(c.button_list) || c.button_list.length === 0 || c.button_list.length > 6) return this.err(40058, 'button_list needs 1-6 buttons');
    }
    return undefined;
  }

  private updateCard(req: T.UpdateTemplateCardRequest): Record<string, unknown> {
    if (req.agentid !== this.opts.agentId) return this.err(301002, 'not allow to operate another agent');
    const entry = this.responseCodes.get(req.response_code);
    if (!entry || entry.used || entry.expiresAt <= this.opts.clock()) return this.err(40058, 'invalid response_code');
    entry.used = true;
    entry.msg.updates.push(req);
    return { errcode: 0, errmsg: 'ok' };
  }

  private getContact(id: string): Record<string, unknown> {
    if (!/^w[mo][A-Za-z0-9_-]+$/.test(id)) return this.err(40096, 'invalid external userid');
    const c = this.contacts.get(id);
    if (!c) return this.err(84061, 'not external contact');
    return { errcode: 0, errmsg: 'ok', external_contact: c.contact, follow_user: c.follow_user };
  }

  private listContacts(userid: string): Record<string, unknown> {
    if (!this.users.has(userid)) return this.err(60111, 'userid not found');
    const ids = [...this.contacts.values()].filter((c) => c.follow_user.some((f) => f.userid === userid)).map((c) => c.contact.external_userid);
    if (ids.length === 0) return this.err(84061, 'not external contact');
    return { errcode: 0, errmsg: 'ok', external_userid: ids };
  }

  private listGroups(req: T.GroupChatListRequest): Record<string, unknown> {
    if (!req.limit || req.limit < 1 || req.limit > 1000) return this.err(40058, 'limit must be 1-1000');
    let list = [...this.groups.values()];
    if (req.status_filter !== undefined && req.status_filter !== 0) list = list.filter((g) => g.status === req.status_filter);
    if (req.owner_filter?.userid_list?.length) list = list.filter((g) => req.owner_filter?.userid_list.includes(g.owner));
    const start = req.cursor ? Number(Buffer.from(req.cursor, 'base64url').toString()) || 0 : 0;
    const page = list.slice(start, start + req.limit);
    const next = start + req.limit < list.length ? Buffer.from(String(start + req.limit)).toString('base64url') : undefined;
    return { errcode: 0, errmsg: 'ok', group_chat_list: page.map((g) => ({ chat_id: g.chat_id, status: g.status })), ...(next ? { next_cursor: next } : {}) };
  }

  private getGroup(chatId: string): Record<string, unknown> {
    const g = this.groups.get(chatId);
    if (!g) return this.err(40050, 'invalid chatid');
    const { status: _s, ...group } = g;
    return { errcode: 0, errmsg: 'ok', group_chat: group };
  }

  private addJoinWay(req: T.AddJoinWayRequest): Record<string, unknown> {
    if (req.scene !== 1 && req.scene !== 2) return this.err(40058, 'invalid scene');
    if (!Array.isArray(req.chat_id_list) || req.chat_id_list.length === 0 || req.chat_id_list.length > 5)
      return this.err(40058, 'chat_id_list needs 1-5 groups');
    const unknown = req.chat_id_list.find((c) => !this.groups.has(c));
    if (unknown) return this.err(40050, `invalid chatid ${unknown}`);
    if (req.state && [...req.state].length > 30) return this.err(40058, 'state too long');
    const config_id = randomBytes(16).toString('hex');
    this.joinWays.set(config_id, { ...req, remark: req.remark?.slice(0, 30), config_id, qr_code: `https://sandbox.local/qr/join/${config_id}.png` });
    return { errcode: 0, errmsg: 'ok', config_id };
  }

  private getJoinWay(configId: string): Record<string, unknown> {
    const w = this.joinWays.get(configId);
    if (!w) return this.err(40058, 'invalid config_id');
    return { errcode: 0, errmsg: 'ok', join_way: w };
  }

  private robotReply(code: string, req: T.RobotReplyBody): Record<string, unknown> {
    const c = this.robotCodes.get(code);
    if (!c) return this.err(40058, 'invalid response_code');
    if (c.used) return this.err(40058, 'response_code already used');
    if (c.expiresAt <= this.opts.clock()) return this.err(40058, 'response_code expired');
    if (req.msgtype !== 'markdown' && req.msgtype !== 'template_card') return this.err(40008, 'invalid message type');
    if (req.msgtype === 'markdown' && !req.markdown?.content) return this.err(41009, 'missing markdown content');
    if (req.msgtype === 'markdown' && Buffer.byteLength(req.markdown.content) > CONTENT_BYTES) return this.err(45002, 'content size out of limit');
    c.used = true;
    const key = c.userid.toLowerCase();
    const m: InboxMessage = {
      seq: ++this.seq,
      at: this.opts.clock(),
      msgid: `robot_${this.seq}`,
      touser: key,
      msgtype: req.msgtype,
      body: req,
      updates: [],
      channel: 'robot',
    };
    this.inboxes.set(key, [...(this.inboxes.get(key) ?? []), m]);
    for (const l of this.listeners) l(m);
    return { errcode: 0, errmsg: 'ok' };
  }

  private addContactWay(req: T.AddContactWayRequest): Record<string, unknown> {
    if (req.type !== 1 && req.type !== 2) return this.err(40058, 'invalid type');
    if (req.scene !== 1 && req.scene !== 2) return this.err(40058, 'invalid scene');
    const bad = (req.user ?? []).find((u) => !this.users.has(u));
    if (bad) return this.err(60111, `userid not found: ${bad}`);
    const config_id = randomBytes(16).toString('hex');
    return { errcode: 0, errmsg: 'ok', config_id, ...(req.scene === 2 ? { qr_code: `https://sandbox.local/qr/contact/${config_id}.png` } : {}) };
  }

  private createMeeting(req: T.MeetingCreateRequest): Record<string, unknown> {
    if (!this.users.has(req.admin_userid)) return this.err(60111, 'admin_userid not found');
    if (!req.title || Buffer.byteLength(req.title) > 40) return this.err(40058, 'title must be 1-40 bytes');
    if (!(req.meeting_start > Math.floor(this.opts.clock() / 1000))) return this.err(40058, 'meeting_start must be in the future');
    if (!(req.meeting_duration >= 300 && req.meeting_duration <= 86399)) return this.err(40058, 'meeting_duration must be 300-86399');
    const invitees = req.invitees?.userid ?? [];
    const bad = invitees.find((u) => !this.users.has(u));
    if (bad) return this.err(60111, `invitee not found: ${bad}`);
    const meetingid = `mt${randomBytes(8).toString('hex')}`;
    const meeting_link = `https://meeting.sandbox.local/j/${meetingid}`;
    this.meetings.push({ ...req, meetingid, meeting_link });
    return { errcode: 0, errmsg: 'ok', meetingid, meeting_code: String(100_000_000 + this.meetings.length), meeting_link };
  }

  /** A member's meetings whose start is in [begin_time, end_time], newest window first as WeCom pages them (≤ 100). */
  private userMeetingIds(req: T.GetUserMeetingIdsRequest): Record<string, unknown> {
    if (!this.users.has(req.userid)) return this.err(60111, 'userid not found');
    const limit = req.limit ?? 100;
    if (limit < 1 || limit > 100) return this.err(40058, 'limit must be 1-100');
    const ids = this.meetings
      .filter((m) => m.admin_userid === req.userid || (m.invitees?.userid ?? []).includes(req.userid))
      .filter((m) => (req.begin_time === undefined || m.meeting_start >= req.begin_time) && (req.end_time === undefined || m.meeting_start <= req.end_time))
      .map((m) => m.meetingid);
    const start = req.cursor ? Number(Buffer.from(req.cursor, 'base64url').toString()) || 0 : 0;
    const next = start + limit < ids.length ? Buffer.from(String(start + limit)).toString('base64url') : undefined;
    return { errcode: 0, errmsg: 'ok', meetingid_list: ids.slice(start, start + limit), ...(next ? { next_cursor: next } : {}) };
  }

  /** meeting/cancel: only a meeting that has not started (Docs 98153, 99048). */
  private cancelMeeting(meetingid: string): Record<string, unknown> {
    const m = this.meetings.find((x) => x.meetingid === meetingid);
    if (!m) return this.err(400002, 'invalid meetingid');
    if (m.cancelled || Math.floor(this.opts.clock() / 1000) >= m.meeting_start) return this.err(400004, 'meeting cannot be cancelled');
    m.cancelled = true;
    return { errcode: 0, errmsg: 'ok' };
  }

  /**
   * meeting/get_info: status from the clock and what happened (1 not started, 2 in progress, 3 ended, 4 cancelled,
   * 5 expired: over and nobody joined); attendees as attend() recorded them, none before the start.
   */
  private meetingInfo(meetingid: string): Record<string, unknown> {
    const m = this.meetings.find((x) => x.meetingid === meetingid);
    if (!m) return this.err(400002, 'invalid meetingid');
    const now = Math.floor(this.opts.clock() / 1000);
    const joined = this.attendance.get(meetingid);
    const over = now >= m.meeting_start + m.meeting_duration;
    const status = m.cancelled ? 4 : now < m.meeting_start ? 1 : !over ? 2 : joined ? 3 : 5;
    const attendees = now >= m.meeting_start && joined ? joined : { member: [], tmp_external_user: [] };
    return {
      errcode: 0,
      errmsg: 'ok',
      admin_userid: m.admin_userid,
      title: m.title,
      meeting_start: m.meeting_start,
      meeting_duration: m.meeting_duration,
      status,
      agentid: m.agentid,
      meeting_link: m.meeting_link,
      attendees,
    };
  }

  private getUser(userid: string): Record<string, unknown> {
    const u = this.users.get(userid);
    if (!u) return this.err(60111, 'userid not found');
    return { errcode: 0, errmsg: 'ok', status: 1, department: [1], ...u };
  }

  // ---- helpers ----------------------------------------------------------------------------------------------------

  private takeFault(api: string): Fault | undefined {
    const list = this.faults.get(api);
    const f = list?.[0];
    if (!list || !f) return undefined;
    if (--f.remaining <= 0) list.shift();
    return f;
  }

  /** JS-SDK tickets issued, by kind: ticket → when it expires. */
  readonly tickets = { corp: new Map<string, number>(), agent: new Map<string, number>() };

  private issueTicket(kind: 'corp' | 'agent'): Record<string, unknown> {
    const ticket = `${kind === 'corp' ? 'sM4AOVd' : 'bxLdikR'}${randomBytes(24).toString('base64url')}`;
    this.tickets[kind].set(ticket, this.opts.clock() + 7_200_000);
    return { errcode: 0, errmsg: 'ok', ticket, expires_in: 7200 };
  }

  /** Whether a page's signature was made, as WeCom's client checks it, with a live ticket of that kind for that URL. */
  verifyJsSignature(kind: 'corp' | 'agent', a: { url: string; nonceStr: string; timestamp: number; signature: string }): boolean {
    const now = this.opts.clock();
    for (const [ticket, expiresAt] of this.tickets[kind]) {
      if (expiresAt <= now) continue;
      const url = a.url.split('#')[0] ?? '';
      const sig = createHash('sha1').update(`jsapi_ticket=${ticket}&noncestr=${a.nonceStr}&timestamp=${a.timestamp}&url=${url}`).digest('hex');
      if (sig === a.signature) return true;
    }
    return false;
  }

  private err(errcode: number, msg: string): Record<string, unknown> {
    const hint = `${Date.now()}${randomBytes(4).readUInt32BE()}`;
    return { errcode, errmsg: `${msg}, hint: [${hint}], from ip: 127.0.0.1, more info at https://open.work.weixin.qq.com/devtool/query?e=${errcode}` };
  }

  private answer(ctx: Koa.Context, api: string, body: Record<string, unknown>): void {
    this.calls.push({
      api,
      at: this.opts.clock(),
      wallAt: Date.now(),
      errcode: Number(body.errcode ?? 0),
      ...(ctx.state.touser ? { touser: String(ctx.state.touser) } : {}),
    });
    ctx.status = 200; // WeCom answers HTTP 200 even for errors
    ctx.body = body;
  }
}

/** WeCom's limit on a text or markdown message's content, in bytes. */
const CONTENT_BYTES = 2048;

/** The first `bytes` bytes of `s` in UTF-8, without a split character (how WeCom cuts a long text). */
function cutToBytes(s: string, bytes: number): string {
  const buf = Buffer.from(s);
  if (buf.length <= bytes) return s;
  let end = bytes;
  while (end > 0 && (buf[end]! & 0xc0) === 0x80) end--;
  return buf.subarray(0, end).toString('utf8');
}

function pickBody(req: T.SendMessageRequest): T.MessageBody {
  switch (req.msgtype) {
    case 'text':
      // WeCom: text content "最长不超过2048个字节，超过将截断" — delivered cut, as a rep would see it.
      return { msgtype: 'text', text: { content: cutToBytes(req.text.content, CONTENT_BYTES) } };
    case 'markdown':
      return { msgtype: 'markdown', markdown: req.markdown };
    case 'template_card':
      return { msgtype: 'template_card', template_card: req.template_card };
  }
}

/** One line per message, as a rep would read it in WeCom. */
export function renderMessage(m: InboxMessage): string {
  const b = m.body;
  if (b.msgtype === 'text') return b.text.content;
  if (b.msgtype === 'markdown') return b.markdown.content;
  const c = b.template_card;
  const buttons = c.button_list.map((x) => `[${x.text}]`).join(' ');
  const last = m.updates.at(-1);
  const done = last?.button?.replace_name ? `  → ${last.button.replace_name}` : '';
  return `${c.main_title.title}${c.main_title.desc ? ` — ${c.main_title.desc}` : ''}${c.sub_title_text ? `\n${c.sub_title_text}` : ''}\n${buttons}${done}`;
}
