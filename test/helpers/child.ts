/** A second process for multi-process tests: shares nothing with the parent but Redis and the sandbox's URL. */
import { testConfig } from './config';
import { createLogger } from '../../src/log';
import { createRedis } from '../../src/store/redis';
import { systemClock } from '../../src/app/system-clock';
import { createSendLimiter, createWeComApi } from '../../src/main/wecom-api';
import { startSendWorker } from '../../src/main/send-worker';
import { startWorker } from '../../src/main/worker';
import { ManualClock } from '../../src/domain/clock';

async function main() {
  const mode = process.argv[2];
  const env = process.env as Record<string, string>;
  const given = (o: Record<string, string | undefined>) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Record<string, string>;
  const config = testConfig(
    env.PREFIX as string,
    given({
      WECOM_API_BASE: env.SANDBOX_URL,
      WECOM_CORP_ID: env.CORP_ID,
      WECOM_SECRET: env.SECRET,
      WECOM_AGENT_ID: env.AGENT_ID,
      ARCHIVE_SECRET: env.ARCHIVE_SECRET,
      WECOM_ARCHIVE_SDK_PATH: env.WECOM_ARCHIVE_SDK_PATH,
      WECOM_ARCHIVE_SECRET: env.WECOM_ARCHIVE_SECRET,
      WECOM_ARCHIVE_KEYS: env.WECOM_ARCHIVE_KEYS,
    }),
  );
  // The puller's settings (config/app.json's archive section), for tests that shorten its lease or backoff.
  if (env.ARCHIVE_POLICY) Object.assign(config.policy.archive, JSON.parse(env.ARCHIVE_POLICY));
  if (env.MARGIN_MS) config.policy.send.marginMs = Number(env.MARGIN_MS);
  const log = createLogger('silent');
  const redis = createRedis(config.redis, 'general');
  const api = createWeComApi(config, redis, systemClock, log);
  let stop: () => Promise<void> = async () => undefined;

  if (mode === 'web') {
    // The web process alone, as src/main/web-main.ts runs it (hostile-input tests measure its memory from outside).
    const { startWeb } = await import('../../src/main/web');
    const web = await startWeb(config, log, { port: 0 });
    stop = () => web.close();
    process.send?.({ ready: true, port: web.port, pid: process.pid });
  } else if (mode === 'api') {
    // calls come in over IPC
  } else if (mode === 'worker') {
    // The whole worker process, as src/main/worker-main.ts runs it, on a fixed business-hours clock.
    const clock = env.CLOCK_MS ? new ManualClock(Number(env.CLOCK_MS)) : systemClock;
    const worker = await startWorker(config, log, { clock, schedulers: false, lockMs: Number(env.LOCK_MS) || undefined });
    stop = () => worker.close();
  } else if (mode === 'send-worker') {
    const connection = createRedis(config.redis, 'worker');
    const worker = startSendWorker({
      connection,
      redis,
      redisPrefix: config.redis.prefix,
      client: api,
      limiter: createSendLimiter(config, redis, { minuteMs: Number(env.MINUTE_MS), hourMs: Number(env.HOUR_MS) }),
      clock: systemClock,
      timeZone: config.businessTz,
      log,
      concurrency: 4,
    });
    stop = async () => {
      await worker.close();
      connection.disconnect();
    };
  }

  process.on('message', async (msg: { cmd: string; n?: number }) => {
    if (msg.cmd === 'stop') {
      await stop();
      redis.disconnect();
      process.exit(0);
    }
    if (msg.cmd === 'getUsers') {
      const results = await Promise.allSettled(Array.from({ length: msg.n ?? 10 }, () => api.getUser('zhangsan')));
      process.send?.({
        ok: results.filter((r) => r.status === 'fulfilled').length,
        errors: results.filter((r) => r.status === 'rejected').map((r) => String((r as PromiseRejectedResult).reason)),
      });
    }
  });
  if (mode !== 'web') process.send?.({ ready: true });
}
void main();
