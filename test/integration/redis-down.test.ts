import { cleanupRedis, testConfig, uniquePrefix, waitFor } from '../helpers/config';
import { fixture } from '../helpers/fixtures';
import { recordingHandlers, startBot, type Running } from '../helpers/harness';
import { PrivateRedis } from '../helpers/redis-server';

let redis: PrivateRedis;
let bot: Running;
const prefix = uniquePrefix('redisdown');
const ADMIN = testConfig(prefix).adminToken;
const { handlers, seen } = recordingHandlers();

beforeAll(async () => {
  redis = new PrivateRedis(await PrivateRedis.freePort());
  await redis.start();
  bot = await startBot(testConfig(prefix, { REDIS_URL: redis.url }), handlers);
});
afterAll(async () => {
  await bot?.close();
  await cleanupRedis(prefix, redis.url).catch(() => undefined);
  await redis?.stop();
});

test('Redis down → 503 so WeCom retries; the process stays up; after Redis returns the retry is processed once', async () => {
  const xml = fixture('app/add_external_contact.xml').replace('woAJ2GCAAAXtWyujaWJHDDGi0mAAAA', 'woDOWN0001');
  const req = bot.driver.appRequest(xml);

  // Works while Redis is up.
  const warm = await bot.driver.deliver(bot.driver.appRequest(fixture('app/chat_create.xml')), { retries: 0 });
  expect(warm.status).toBe(200);
  await waitFor(() => seen.length === 1);

  await redis.stop();
  const started = Date.now();
  const down = await bot.driver.deliver(req, { retries: 0 });
  expect(down.status).toBe(503);
  expect(down.body).toBe('STORE_UNAVAILABLE');
  expect(Date.now() - started).toBeLessThan(4000); // inside WeCom's 5-second window
  expect(bot.lines.some((l) => l.reason === 'STORE_UNAVAILABLE' && l.status === 503)).toBe(true);

  const ready = await fetch(`${bot.baseUrl}/readyz`);
  expect(ready.status).toBe(503);
  expect((await fetch(`${bot.baseUrl}/healthz`)).status).toBe(200); // alive, not ready
  // Metrics still answer: the 503 is counted with its reason; the Redis-backed gauges are empty and their failure counted.
  const metrics = await fetch(`${bot.baseUrl}/metrics`, { headers: { authorization: `Bearer ${ADMIN}` } });
  expect(metrics.status).toBe(200);
  const metricsWhileDown = await metrics.text(); // checked once Redis is back (a failed check must not leave it down)

  await redis.start();
  await waitFor(async () => (await fetch(`${bot.baseUrl}/readyz`)).status === 200, { timeoutMs: 15_000 });
  expect(metricsWhileDown).toMatch(/wf_callbacks_total\{route="\/wecom\/callback",status="503",reason="STORE_UNAVAILABLE"\} 1/);
  expect(metricsWhileDown).toMatch(/wf_metrics_source_errors_total\{source="queues"\} 1/);
  expect(metricsWhileDown).not.toMatch(/wf_queue_jobs\{/);

  // WeCom retries the same request (three times, as it does); it is stored once and handled once.
  const results = await Promise.all([
    bot.driver.deliver(req, { retries: 0 }),
    bot.driver.deliver(req, { retries: 0 }),
    bot.driver.deliver(req, { retries: 0 }),
  ]);
  expect(results.map((r) => r.status)).toEqual([200, 200, 200]);
  await waitFor(() => seen.some((s) => s.event.kind === 'external_contact' && s.event.externalUserId === 'woDOWN0001'), { timeoutMs: 15_000 });
  await new Promise((r) => setTimeout(r, 300));
  expect(seen.filter((s) => s.event.kind === 'external_contact' && s.event.externalUserId === 'woDOWN0001')).toHaveLength(1);
}, 60_000);
