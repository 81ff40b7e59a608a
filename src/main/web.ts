import type { Server } from 'node:http';
import { CallbackReceiver } from '../app/callback-receiver';
import type { Config } from '../config/env';
import { systemClock } from '../app/system-clock';
import type { Clock } from '../domain/clock';
import { createHttpApp } from '../http/app';
import { BullInbox, parkedEvents } from '../jobs/inbox-queue';
import type { Logger } from '../log';
import { createRedis } from '../store/redis';

export interface WebHandle {
  server: Server;
  port: number;
  close(): Promise<void>;
}

/** Composition root of the web process: webhook, health, admin API. Stateless: run as many as you like. */
export async function startWeb(config: Config, log: Logger, opts: { clock?: Clock; port?: number } = {}): Promise<WebHandle> {
  const clock = opts.clock ?? systemClock;
  const redis = createRedis(config.redis.url, 'ingress');
  const inbox = new BullInbox(redis, config.redis.prefix, config.policy);
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
    parked: parkedEvents(inbox.queue),
  });
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
      await inbox.close().catch(() => undefined);
      redis.disconnect();
    },
  };
}
