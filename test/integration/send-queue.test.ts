import type { RedisClient } from '../../src/store/redis';
import { SendQueue } from '../../src/jobs/send-queue';
import type { WeComSandbox } from '../../tools/sandbox/wecom-sandbox';
import { createRedis } from '../../src/store/redis';
import { cleanupRedis, REDIS_URL, uniquePrefix, waitFor } from '../helpers/config';
import { SANDBOX_APP, startChild, startSandbox } from '../helpers/sandbox';

// Scaled clock: a WeCom "minute" is 1 s here and an "hour" 60 s; the limits are WeCom's (30/min, 1000/h).
const MINUTE_MS = 1000;
const prefix = uniquePrefix('send');
let sandbox: WeComSandbox;
let url: string;
let redis: RedisClient;
let queue: SendQueue;

beforeAll(async () => {
  // The sandbox enforces the same limit on its side and answers 45009 over it: any excess would show.
  ({ sandbox, url } = await startSandbox({ minuteMs: MINUTE_MS, hourMs: 60 * MINUTE_MS, overLimit: 'error' }));
  sandbox.addUser({ userid: 'zhangsan', name: '张三' }).addUser({ userid: 'lisi', name: '李四' });
  redis = createRedis(REDIS_URL, 'general');
  queue = new SendQueue(redis, prefix);
});
afterAll(async () => {
  await queue.close();
  redis.disconnect();
  await sandbox.close();
  await cleanupRedis(prefix);
});

test('200 nudges for one rep, two worker processes: all delivered, none twice, never more than 30 per minute', async () => {
  const env = {
    PREFIX: prefix,
    SANDBOX_URL: url,
    CORP_ID: SANDBOX_APP.corpId,
    SECRET: SANDBOX_APP.secret,
    AGENT_ID: String(SANDBOX_APP.agentId),
    MINUTE_MS: String(MINUTE_MS),
    HOUR_MS: String(60 * MINUTE_MS),
  };
  // Our windows carry a margin for clock skew (config: send.marginMs, 1 s in production); scaled here to 100 ms.
  await redis.set('unused', '1', 'PX', 1); // warm the connection
  const workers = await Promise.all([startChild('send-worker', { ...env, MARGIN_MS: '100' }), startChild('send-worker', { ...env, MARGIN_MS: '100' })]);
  try {
    const enqueue = (i: number) =>
      queue.enqueue({ key: `lead-${i}:quiet:2026-W48`, touser: 'zhangsan', body: { msgtype: 'text', text: { content: `第 ${i} 条提醒` } } });
    await Promise.all(Array.from({ length: 200 }, (_, i) => enqueue(i)));
    // The same nudges again (a sweep that ran twice): no new messages.
    await Promise.all(Array.from({ length: 200 }, (_, i) => enqueue(i)));
    // And one for another rep, which must not wait behind zhangsan's queue.
    await queue.enqueue({ key: 'lead-x:weekly', touser: 'lisi', body: { msgtype: 'text', text: { content: '李四的提醒' } } });
    await waitFor(() => sandbox.inbox('lisi').length === 1, { timeoutMs: 3000 });
    expect(sandbox.inbox('zhangsan').length).toBeLessThan(200);

    await waitFor(() => sandbox.inbox('zhangsan').length === 200, { timeoutMs: 20_000, intervalMs: 100 }).catch(async (e) => {
      console.error(
        'inbox',
        sandbox.inbox('zhangsan').length,
        JSON.stringify(await queue.queue.getJobCounts()),
        JSON.stringify((await queue.queue.getFailed()).slice(0, 3).map((j) => j.failedReason)),
        JSON.stringify((await queue.queue.getDelayed()).slice(0, 3).map((j) => [j.delay, j.timestamp, j.attemptsMade, j.opts.delay])),
      );
      throw e;
    });
    await new Promise((r) => setTimeout(r, 500));
    const inbox = sandbox.inbox('zhangsan');
    expect(inbox).toHaveLength(200);
    const texts = inbox.map((m) => (m.body.msgtype === 'text' ? m.body.text.content : ''));
    expect(new Set(texts).size).toBe(200);
    // Sliding window over the sandbox's own receive times.
    const times = inbox.map((m) => m.at).sort((a, b) => a - b);
    let maxInWindow = 0;
    for (let i = 0, j = 0; i < times.length; i++) {
      while ((times[i] as number) - (times[j] as number) >= MINUTE_MS) j++;
      maxInWindow = Math.max(maxInWindow, i - j + 1);
    }
    expect(maxInWindow).toBeLessThanOrEqual(30);
    expect(sandbox.calls.filter((c) => c.errcode === 45009)).toHaveLength(0);
    // Both processes did work.
    expect((times.at(-1) as number) - (times[0] as number)).toBeGreaterThanOrEqual(6 * MINUTE_MS);
  } finally {
    await Promise.all(workers.map((w) => w.stop()));
  }
}, 40_000);

test('45009 from WeCom: the send waits out the penalty window in BullMQ’s delayed set — not failed, not lost, not retried at once', async () => {
  const { startSendWorker } = await import('../../src/main/send-worker');
  const { createSendLimiter, createWeComApi } = await import('../../src/main/wecom-api');
  const { testConfig, captureLogger } = await import('../helpers/config');
  const config = testConfig(prefix, {
    WECOM_API_BASE: url,
    WECOM_CORP_ID: SANDBOX_APP.corpId,
    WECOM_SECRET: SANDBOX_APP.secret,
    WECOM_AGENT_ID: String(SANDBOX_APP.agentId),
  });
  const { log, lines } = captureLogger();
  const connection = createRedis(REDIS_URL, 'worker');
  const worker = startSendWorker({
    connection,
    redis,
    redisPrefix: prefix,
    client: createWeComApi(config, redis, { now: () => Date.now() }, log),
    limiter: createSendLimiter(config, redis),
    clock: { now: () => Date.now() },
    timeZone: 'Asia/Shanghai',
    log,
  });
  try {
    sandbox.failNext('message/send', 45009);
    const before = sandbox.count('message/send');
    await queue.enqueue({ key: 'penalty-test', touser: 'lisi', body: { msgtype: 'text', text: { content: '限流测试' } } });
    await waitFor(async () => (await queue.queue.getDelayed()).some((j) => j.data.key === 'penalty-test'), { timeoutMs: 5000 });
    const job = (await queue.queue.getDelayed()).find((j) => j.data.key === 'penalty-test');
    expect(job?.attemptsMade).toBe(0); // a wait, not a failed attempt
    expect((job?.delay ?? 0) + (job?.timestamp ?? 0) - Date.now()).toBeGreaterThan(50_000);
    expect(sandbox.count('message/send') - before).toBe(1);
    expect(lines.some((l) => l.reason === 'send.rate_limited')).toBe(true);
    expect(await queue.queue.getFailedCount()).toBe(0);
  } finally {
    await worker.close();
    connection.disconnect();
  }
});
