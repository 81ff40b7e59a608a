import type { Server } from 'node:http';
import { CallbackReceiver } from '../app/callback-receiver';
import type { Config } from '../config/env';
import { systemClock } from '../app/system-clock';
import type { Clock } from '../domain/clock';
import type { EventInbox } from '../app/ports';
import { createHttpApp } from '../http/app';
import { createInboxQueue, parkedEvents } from '../jobs/inbox-queue';
import { StreamInbox } from '../store/stream-inbox';
import { LedgerStore } from '../store/ledger-store';
import { mountLeadRoutes } from '../http/lead-routes';
import { createNudgeQueue } from '../jobs/nudge-jobs';
import type { Logger } from '../log';
import { createRedis, waitReady } from '../store/redis';

export interface WebHandle {
  server: Server;
  port: number;
  close(): Promise<void>;
}

/** Composition root of the web process: webhook, health, admin API. Stateless: run as many as you like. */
export async function startWeb(config: Config, log: Logger, opts: { clock?: Clock; port?: number; inbox?: EventInbox } = {}): Promise<WebHandle> {
  const clock = opts.clock ?? systemClock;
  const redis = createRedis(config.redis.url, 'ingress');
  const inbox: EventInbox = opts.inbox ?? new StreamInbox(redis, config.redis.prefix, {
    dedupTtlMs: config.policy.ingress.dedupTtlHours * 3_600_000,
    streamMaxLen: config.policy.inbox.streamMaxLen,
  });
  // Operators' view of parked events; a separate, ordinary connection so admin calls never touch the ingress one.
  const adminRedis = createRedis(config.redis.url, 'general');
  const inboxQueue = createInboxQueue(adminRedis, config.redis.prefix);
  const nudgeQueue = createNudgeQueue(adminRedis, config.redis.prefix);
  const appReceiver = new CallbackReceiver(
    { channel: 'app', token: config.wecom.token, aesKey: config.wecom.aesKey, receiveId: config.wecom.corpId },
    inbox,
    clock,
  );
  const botReceiver = config.wecom.bot
    ? new CallbackReceiver({ channel: 'bot', token: config.wecom.bot.token, aesKey: config.wecom.bot.aesKey, receiveId: '' }, inbox, clock)
    : undefined;
  const app = createHttpApp({
    log,
    appReceiver,
    botReceiver,
    maxBodyBytes: config.policy.ingress.maxBodyBytes,
    adminToken: config.adminToken,
    ping: async () => {
      await redis.ping();
    },
    parked: parkedEvents(inboxQueue),
    extraRoutes: (router, admin) => {
      mountLeadRoutes(router, admin, { store: new LedgerStore(adminRedis, config.redis.prefix, clock), clock, log, archiveSecret: config.archiveSecret });
      // Operators: run a nudge sweep now (a worker picks it up).
      router.post('/api/sweep', admin, async (ctx) => {
        const job = await nudgeQueue.add('sweep', {}, { removeOnComplete: 100, removeOnFail: 100 });
        ctx.status = 202;
        ctx.body = { queued: job.id };
      });
    },
  });
  if (!(await waitReady(redis))) log.warn({ reason: 'REDIS_UNREACHABLE' }, 'Redis is not reachable yet: callbacks are answered 503 until it is');
  const server = await new Promise<Server>((resolve, reject) => {
    const s = app.listen(opts.port ?? config.port, () => resolve(s));
    s.once('error', reject);
  });
  server.keepAliveTimeout = 65_000;
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
      await inboxQueue.close().catch(() => undefined);
      await nudgeQueue.close().catch(() => undefined);
      adminRedis.disconnect();
      redis.disconnect();
    },
  };
}
