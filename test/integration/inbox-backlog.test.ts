/**
 * The inbox never loses what it acknowledged: with the workers stopped and the stream's limit small, callbacks beyond
 * it are answered 503 INBOX_FULL (WeCom retries them) instead of being accepted and trimmed before any worker read
 * them; once the workers are back every acknowledged callback is applied, forwarded entries are trimmed to the audit
 * trail, and WeCom's retries of the refused ones get in.
 */
import { createRedis, type RedisClient } from '../../src/store/redis';
import { startWorker, type WorkerHandle } from '../../src/main/worker';
import { inboxKeys } from '../../src/store/stream-inbox';
import { captureLogger, cleanupRedis, REDIS_URL, testConfig, uniquePrefix, waitFor } from '../helpers/config';
import { fixture } from '../helpers/fixtures';
import { recordingHandlers, startBot, type Running } from '../helpers/harness';

const prefix = uniquePrefix('backlog');
const config = testConfig(prefix);
config.policy.inbox.streamMaxLen = 1000;
config.policy.inbox.keepForwarded = 100;
const { handlers, seen } = recordingHandlers();
let bot: Running;
let worker: WorkerHandle | undefined;
let redis: RedisClient;

beforeAll(async () => {
  bot = await startBot(config, handlers, { worker: false });
  redis = createRedis(REDIS_URL, 'general');
});
afterAll(async () => {
  await worker?.close();
  await bot.close();
  redis.disconnect();
  await cleanupRedis(prefix);
});

test('3,000 callbacks with no worker and a 1,000-entry stream: 1,000 stored, 2,000 refused with 503; all 3,000 applied exactly once after retries', async () => {
  const requests = Array.from({ length: 3000 }, (_, i) =>
    bot.driver.appRequest(
      fixture('app/text.xml')
        .replace('hello', `backlog ${i}`)
        .replace(/<MsgId>\d+/, `<MsgId>${9_000_000 + i}`),
    ),
  );
  const answers: { status: number; body: string }[] = [];
  for (let i = 0; i < requests.length; i += 100) {
    answers.push(...(await Promise.all(requests.slice(i, i + 100).map((r) => bot.driver.deliver(r, { retries: 0 })))));
  }
  const accepted = answers.filter((a) => a.status === 200).length;
  expect(accepted).toBe(1000);
  expect(answers.filter((a) => a.status === 503 && a.body === 'INBOX_FULL')).toHaveLength(2000);
  expect(bot.lines.some((l) => l.reason === 'INBOX_FULL')).toBe(true);
  const stream = inboxKeys(prefix).stream;
  expect(await redis.xlen(stream)).toBe(1000);

  // Operators see why: the limit, the unread backlog and the refusals, in /metrics.
  const metrics = await (await fetch(`${bot.baseUrl}/metrics`, { headers: { authorization: `Bearer ${config.adminToken}` } })).text();
  expect(metrics).toMatch(/wf_inbox_entries\{kind="limit"\} 1000/);
  expect(metrics).toMatch(/wf_inbox_entries\{kind="unread"\} 1000/);
  expect(metrics).toMatch(/wf_callbacks_total\{route="\/wecom\/callback",status="503",reason="INBOX_FULL"\} 2000/);

  // The workers come back: every acknowledged callback is applied, and only forwarded entries leave the stream.
  worker = await startWorker(config, captureLogger('silent').log, { handlers, schedulers: false });
  await waitFor(() => seen.length === 1000, { timeoutMs: 20_000, intervalMs: 50 });
  await waitFor(async () => (await redis.xlen(stream)) <= 100, { timeoutMs: 10_000 });

  // WeCom retries what was refused (same bytes); now there is room.
  const refused = requests.filter((_, i) => answers[i]?.status !== 200);
  for (let i = 0; i < refused.length; i += 100) {
    const res = await Promise.all(refused.slice(i, i + 100).map((r) => bot.driver.deliver(r, { retries: 20, retryDelayMs: 100 })));
    expect(res.every((r) => r.status === 200)).toBe(true);
  }
  await waitFor(() => seen.length === 3000, { timeoutMs: 30_000, intervalMs: 50 });
  const contents = seen.map((s) => (s.event.kind === 'app_text' ? s.event.content : ''));
  expect(new Set(contents).size).toBe(3000);
  await new Promise((r) => setTimeout(r, 300));
  expect(seen).toHaveLength(3000);
}, 90_000);

test('the stream is trimmed only up to the consumer group: entries no pump has handed over stay, whatever their age', async () => {
  const { trimForwarded } = await import('../../src/store/stream-inbox');
  const p = uniquePrefix('trim');
  const k = inboxKeys(p);
  try {
    for (let i = 0; i < 50; i++) await redis.xadd(k.stream, '*', 'id', `e${i}`, 'ch', 'app', 'at', '1', 'p', 'x');
    // No consumer group yet (no pump ever started): nothing may go.
    expect(await trimForwarded(redis, p, 0)).toBe(0);
    await redis.xgroup('CREATE', k.stream, k.group, '0');
    // The group read 30 and acknowledged 20: 10 are pending, 20 unread. Only the 20 acknowledged may go.
    const read = (await redis.xreadgroup('GROUP', k.group, 'c1', 'COUNT', 30, 'STREAMS', k.stream, '>')) as [string, [string, string[]][]][];
    const ids = read[0]?.[1].map((e) => e[0]) ?? [];
    await redis.xack(k.stream, k.group, ...ids.slice(0, 20));
    expect(await trimForwarded(redis, p, 0)).toBe(20);
    expect(await redis.xlen(k.stream)).toBe(30);
    expect(await trimForwarded(redis, p, 0)).toBe(0);
    // Acknowledge the rest of what was read; keep 5 of the forwarded ones as an audit trail.
    await redis.xack(k.stream, k.group, ...ids.slice(20));
    expect(await trimForwarded(redis, p, 25)).toBe(5);
    expect(await redis.xlen(k.stream)).toBe(25);
    const left = (await redis.xrange(k.stream, '-', '+')).map((e) => e[1][1]);
    expect(left).toEqual(Array.from({ length: 25 }, (_, i) => `e${25 + i}`));
  } finally {
    await cleanupRedis(p);
  }
});
