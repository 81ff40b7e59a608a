import { createHash, randomBytes } from 'node:crypto';
import { createServer, type Server, type ServerOptions } from 'node:http';
import { CallbackReceiver } from '../app/callback-receiver';
import type { Config } from '../config/env';
import { systemClock } from '../app/system-clock';
import type { Clock } from '../domain/clock';
import type { EventInbox } from '../app/ports';
import { createHttpApp } from '../http/app';
import { createInboxQueue } from '../jobs/inbox-queue';
import { failedJobs } from '../jobs/failed-jobs';
import { StreamInbox } from '../store/stream-inbox';
import { LedgerStore } from '../store/ledger-store';
import { mountLeadRoutes } from '../http/lead-routes';
import { mountArchiveAdminRoutes, mountArchiveRoutes } from '../http/archive-routes';
import { RedisArchiveState } from '../store/archive-state';
import { ArchiveIngest } from '../app/archive-ingest';
import { BoardAuth } from '../app/board-auth';
import { BoardRoles } from '../app/board-roles';
import { boardSecurityHeaders, mountBoardAuthRoutes, requireBoardSession } from '../http/board-auth-routes';
import { mountBoardRoutes } from '../http/board-routes';
import { mountBoardPages } from '../http/board-pages';
import { BoardLeads } from '../app/board-leads';
import { boardActions } from './board-actions';
import { RedisSessionStore } from '../store/session-store';
import { RedisBoardProjection } from '../store/board-projection';
import { WeComMembers } from '../wecom/members';
import { createJsApiTickets, createWeComApi } from './wecom-api';
import { Sidebar } from '../app/sidebar';
import { mountSidebarRoutes } from '../http/sidebar-routes';
import { createNudgeQueue } from '../jobs/nudge-jobs';
import type { Logger } from '../log';
import { createRedis, waitReady } from '../store/redis';
import { Queue } from 'bullmq';
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { KoaAdapter } from '@bull-board/koa';
import { bullPrefix, QUEUES } from '../jobs/names';
import { WebMetrics } from '../http/web-metrics';
import { inboxStats } from '../store/stream-inbox';
import { ActivityStore } from '../store/activity-store';

export interface WebHandle {
  server: Server;
  port: number;
  close(): Promise<void>;
}

/** Composition root of the web process: webhook, health, admin API. Stateless: run as many as you like. */
export async function startWeb(config: Config, log: Logger, opts: { clock?: Clock; port?: number; inbox?: EventInbox } = {}): Promise<WebHandle> {
  const clock = opts.clock ?? systemClock;
  const redis = createRedis(config.redis, 'ingress');
  const inbox: EventInbox =
    opts.inbox ??
    new StreamInbox(redis, config.redis.prefix, {
      dedupTtlMs: config.policy.ingress.dedupTtlHours * 3_600_000,
      streamMaxLen: config.policy.inbox.streamMaxLen,
    });
  // Operators' view of parked events; a separate, ordinary connection so admin calls never touch the ingress one.
  const adminRedis = createRedis(config.redis, 'general');
  const inboxQueue = createInboxQueue(adminRedis, config.redis.prefix);
  const nudgeQueue = createNudgeQueue(adminRedis, config.redis.prefix);
  const sendQueue = new Queue(QUEUES.send, { connection: adminRedis, prefix: bullPrefix(config.redis.prefix) });
  const reconcileQueue = new Queue(QUEUES.reconcile, { connection: adminRedis, prefix: bullPrefix(config.redis.prefix) });
  for (const q of [sendQueue, reconcileQueue]) q.on('error', () => undefined);
  const queues = [inboxQueue, sendQueue, nudgeQueue, reconcileQueue] as Queue[];
  const leadStore = new LedgerStore(adminRedis, config.redis.prefix, clock);
  const activityStore = new ActivityStore(adminRedis, config.redis.prefix);
  const archiveState = new RedisArchiveState(adminRedis, config.redis.prefix);
  const metrics = new WebMetrics({
    queues: queues.map((q) => ({ name: q.name, counts: () => q.getJobCounts('waiting', 'active', 'delayed', 'failed', 'completed') })),
    inbox: async () => ({ ...(await inboxStats(adminRedis, config.redis.prefix)), limit: config.policy.inbox.streamMaxLen }),
    leads: () => leadStore.countByStateAndOutcome(),
    activity: () => activityStore.all(),
    archive: () => archiveState.status(),
  });
  // The queue dashboard (Bull Board): every queue, its jobs, failures and retries, for operators.
  const board = new KoaAdapter();
  board.setBasePath('/admin/queues');
  createBullBoard({
    queues: queues.map((q) => new BullMQAdapter(q, { readOnlyMode: true })),
    serverAdapter: board,
    options: { uiConfig: { boardTitle: 'wecom-followup' } },
  });
  const freshness = { maxAgeSeconds: config.policy.ingress.maxAgeSeconds, maxFutureSeconds: config.policy.ingress.maxFutureSeconds };
  const appReceiver = new CallbackReceiver(
    { channel: 'app', token: config.wecom.token, aesKey: config.wecom.aesKey, receiveId: config.wecom.corpId, freshness },
    inbox,
    clock,
  );
  const botReceiver = config.wecom.bot
    ? new CallbackReceiver({ channel: 'bot', token: config.wecom.bot.token, aesKey: config.wecom.bot.aesKey, receiveId: '', freshness }, inbox, clock)
    : undefined;
  // The manager's board: sign-in with WeCom, sessions in Redis, roles from reporting lines.
  const wecomApi = createWeComApi(config, adminRedis, clock, log);
  const members = new WeComMembers(wecomApi, config.policy.board.leadersCacheMinutes * 60_000, () => clock.now());
  const boardHttp = {
    publicUrl: config.board.publicUrl,
    oauthBase: config.board.oauthBase,
    ssoBase: config.board.ssoBase,
    idleMs: config.policy.board.sessionIdleMinutes * 60_000,
    clientBridge: config.board.clientBridge,
  };
  const boardAuth = new BoardAuth({
    sessions: new RedisSessionStore(adminRedis, config.redis.prefix),
    members,
    clock,
    log,
    settings: {
      corpId: config.wecom.corpId,
      agentId: config.wecom.agentId,
      ...boardHttp,
      maxAgeMs: config.policy.board.sessionMaxHours * 3_600_000,
      loginKey: createHash('sha256').update(`login-cookie:${config.wecom.secret}:${config.wecom.aesKey}`).digest('hex'),
    },
  });
  const boardCore = boardActions(config, { redis: adminRedis, store: leadStore, api: wecomApi, clock, log });
  const boardLeads = new BoardLeads({
    store: leadStore,
    actions: boardCore.actions,
    clock,
    timeZone: config.businessTz,
  });
  const sidebar = new Sidebar({
    store: leadStore,
    leads: boardLeads,
    actions: boardCore.actions,
    ledger: boardCore.ledger,
    tickets: createJsApiTickets(config, adminRedis, wecomApi, clock),
    outbox: boardCore.outbox,
    names: members,
    clock,
    timeZone: config.businessTz,
    corpId: config.wecom.corpId,
    agentId: config.wecom.agentId,
    nonce: () => randomBytes(12).toString('base64url'),
  });
  const boardRoles = new BoardRoles({ store: leadStore, leaders: members, admins: config.board.admins, teams: config.policy.board.teams });
  const app = createHttpApp({
    log,
    appReceiver,
    botReceiver,
    maxBodyBytes: config.policy.ingress.maxBodyBytes,
    adminToken: config.adminToken,
    ping: async () => {
      await redis.ping();
    },
    parked: failedJobs(inboxQueue),
    failedSends: failedJobs(sendQueue),
    metrics,
    dashboard: { basePath: '/admin/queues', middleware: board.registerPlugin() },
    extraRoutes: (router, admin) => {
      router.use(boardSecurityHeaders(boardHttp));
      const boardSession = requireBoardSession(boardAuth, boardRoles, boardHttp);
      mountBoardAuthRoutes(router, { auth: boardAuth, session: boardSession, settings: boardHttp, log });
      mountBoardRoutes(router, {
        session: boardSession,
        leads: boardLeads,
        team: new RedisBoardProjection(adminRedis, config.redis.prefix),
        names: members,
        now: () => clock.now(),
      });
      mountBoardPages(router, { auth: boardAuth, timeZone: config.businessTz, settings: boardHttp });
      mountSidebarRoutes(router, {
        auth: boardAuth,
        session: boardSession,
        sidebar,
        settings: boardHttp,
        app: { corpId: config.wecom.corpId, agentId: config.wecom.agentId },
        timeZone: config.businessTz,
        now: () => clock.now(),
        bridgeScript: config.board.clientBridge,
      });
      mountLeadRoutes(router, admin, { store: leadStore, clock, log, timeZone: config.businessTz });
      mountArchiveAdminRoutes(router, admin, { state: archiveState });
      mountArchiveRoutes(router, {
        archive: new ArchiveIngest(inbox, clock),
        log,
        secret: config.archiveSecret,
        ...config.policy.archive,
      });
      // Operators: run a nudge sweep now (a worker picks it up).
      router.post('/api/sweep', admin, async (ctx) => {
        const job = await nudgeQueue.add('sweep', {}, { removeOnComplete: 100, removeOnFail: 100 });
        ctx.status = 202;
        ctx.body = { queued: job.id };
      });
    },
  });
  if (!(await waitReady(redis))) log.warn({ reason: 'REDIS_UNREACHABLE' }, 'Redis is not reachable yet: callbacks are answered 503 until it is');
  const server = createServer(serverOptions(config.policy.http), app.callback());
  server.maxConnections = config.policy.http.maxConnections;
  server.keepAliveTimeout = config.policy.http.keepAliveTimeoutMs;
  await new Promise<void>((resolve, reject) => {
    server.listen(opts.port ?? config.port, () => resolve());
    server.once('error', reject);
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  log.info({ reason: 'web.started', port, bot: Boolean(botReceiver) }, 'web listening');
  return {
    server,
    port,
    async close() {
      // Stop accepting, let in-flight requests finish (bounded), drop idle keep-alive sockets.
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      const grace = setTimeout(() => server.closeAllConnections(), 5000);
      await closed;
      clearTimeout(grace);
      await Promise.all(queues.map((q) => q.close().catch(() => undefined)));
      await boardCore.close().catch(() => undefined);
      adminRedis.disconnect();
      redis.disconnect();
    },
  };
}

/**
 * Timeouts that make sense for WeCom's traffic (small callbacks, answered within WeCom's 5 s): a client that trickles
 * its headers (slow-loris) or its body is cut off, and idle keep-alive sockets close. Node checks the header and
 * request timeouts every `connectionsCheckingInterval`, so that interval is a fraction of the shortest timeout.
 */
export function serverOptions(h: Config['policy']['http']): ServerOptions {
  return {
    headersTimeout: h.headersTimeoutMs,
    requestTimeout: h.requestTimeoutMs,
    connectionsCheckingInterval: Math.max(100, Math.min(1000, Math.floor(h.headersTimeoutMs / 4))),
  };
}
