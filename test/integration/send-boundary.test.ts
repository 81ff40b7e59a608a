/**
 * The send boundary keeps its promises whoever calls it: nothing goes to a customer (every path that sends is tried
 * with an external id), every attempt that reaches WeCom holds its own rate slot, and a send that fails for good is
 * listed, replayable and counted.
 */
import { Queue } from 'bullmq';
import type { RedisClient } from '../../src/store/redis';
import { bullPrefix, QUEUES } from '../../src/jobs/names';
import { SendQueue } from '../../src/jobs/send-queue';
import { startSendWorker } from '../../src/main/send-worker';
import { createSendLimiter, createWeComApi } from '../../src/main/wecom-api';
import type { WeComSandbox } from '../../tools/sandbox/wecom-sandbox';
import { createRedis } from '../../src/store/redis';
import { RecipientRefusedError } from '../../src/wecom/recipients';
import { captureLogger, cleanupRedis, REDIS_URL, testConfig, uniquePrefix, VECTOR_A, waitFor } from '../helpers/config';
import { REP, startLedgerBot } from '../helpers/ledger-harness';
import { SANDBOX_APP, startSandbox } from '../helpers/sandbox';

const CUSTOMER_IDS = ['wmxUBwDQAAO-Hn5_wFJz4wvo5TxLFibw', 'woAJ2GCAAAXtWyujaWJHDDGi0mAAAA', 'wmEXTERNAL01'];
const toExternal = (b: WeComSandbox) => b.calls.filter((c) => c.api === 'message/send' && (c.touser ?? '').split('|').some((u) => /^w[mo]/.test(u)));

describe('nothing is ever sent to a customer', () => {
  let bot: Awaited<ReturnType<typeof startLedgerBot>>;
  const now = () => Math.floor(Date.now() / 1000);
  beforeAll(async () => {
    bot = await startLedgerBot('boundary');
    bot.sandbox.addUser({ userid: REP, name: '张三' });
  });
  afterAll(async () => {
    await bot.close();
  });

  test('app text, robot message and card press from an external id: not answered, logged; a rep is still answered', async () => {
    const [a, b, c] = CUSTOMER_IDS as [string, string, string];
    await bot.send({
      kind: 'app_text',
      corpId: VECTOR_A.corpId,
      createTime: now(),
      msgId: '8100000000000000001',
      fromUser: a,
      content: '今日',
      agentId: '218',
    });
    await bot.send({
      kind: 'bot_message',
      corpId: '',
      createTime: now(),
      msgId: 'ext-bot-1',
      chatType: 'single',
      fromUser: b,
      msgType: 'text',
      text: '帮助',
      responseUrl: bot.sandbox.robotResponseUrl(b),
    });
    await bot.send({
      kind: 'template_card_event',
      corpId: VECTOR_A.corpId,
      createTime: now(),
      fromUser: c,
      eventKey: 'called:woX:n1',
      taskId: 't1',
      cardType: 'button_interaction',
      selectedItems: [],
    });
    await bot.send({
      kind: 'app_text',
      corpId: VECTOR_A.corpId,
      createTime: now(),
      msgId: '8100000000000000002',
      fromUser: REP,
      content: '帮助',
      agentId: '218',
    });
    await waitFor(() => bot.sandbox.inbox(REP).length === 1, { timeoutMs: 10_000 });
    await waitFor(() => bot.bot.lines.filter((l) => l.reason === 'event.from_non_member').length === 3, { timeoutMs: 10_000 });
    await new Promise((r) => setTimeout(r, 300));
    expect(toExternal(bot.sandbox)).toEqual([]);
    for (const id of CUSTOMER_IDS) expect(bot.sandbox.inbox(id)).toEqual([]);
  });

  test('every way into the send queue refuses an external id, @all or no one — one id among members included', async () => {
    const redis = createRedis(REDIS_URL, 'general');
    const { log, lines } = captureLogger();
    const counted: unknown[] = [];
    const queue = new SendQueue(redis, bot.prefix, { log, activity: { count: async (...a) => void counted.push(...a) } });
    try {
      const body = { msgtype: 'text' as const, text: { content: '您好' } };
      for (const touser of [...CUSTOMER_IDS, `${REP}|${CUSTOMER_IDS[0]}`, '@all', '', ' | ']) {
        await expect(queue.enqueue({ key: `ext-${touser}`, touser, body })).rejects.toBeInstanceOf(RecipientRefusedError);
        await expect(
          queue.enqueueMany([
            { key: `ok-${touser}`, touser: REP, body },
            { key: `ext-many-${touser}`, touser, body },
          ]),
        ).rejects.toBeInstanceOf(RecipientRefusedError);
      }
      expect(await queue.queue.getJobCounts('waiting', 'delayed', 'active', 'completed')).toEqual({
        waiting: 0,
        delayed: 0,
        active: 0,
        completed: expect.any(Number),
      });
      expect(lines.filter((l) => l.reason === 'send.recipient_refused').length).toBeGreaterThanOrEqual(7);
      expect(counted).toContainEqual({ event: 'messages_refused', kind: 'external_id' });
      expect(counted).toContainEqual({ event: 'messages_refused', kind: 'broadcast' });
    } finally {
      await queue.close();
      redis.disconnect();
    }
  });

  test('a job put into the queue by other means (bypassing SendQueue): refused by the worker, listed, counted, never sent', async () => {
    const redis = createRedis(REDIS_URL, 'general');
    const raw = new Queue(QUEUES.send, { connection: redis, prefix: bullPrefix(bot.prefix) });
    const admin = { authorization: `Bearer ${bot.config.adminToken}` };
    try {
      await raw.add(
        'send',
        { key: 'smuggled', touser: CUSTOMER_IDS[1], body: { msgtype: 'text', text: { content: '买吗' } } },
        SendQueue.jobOptions('smuggled'),
      );
      const failed = async () =>
        ((await (await fetch(`${bot.bot.baseUrl}/api/send/failed`, { headers: admin })).json()) as { items: { id: string; failedReason: string }[] }).items;
      await waitFor(async () => (await failed()).length === 1, { timeoutMs: 10_000 });
      expect((await failed())[0]?.failedReason).toMatch(/external contact/);
      expect(bot.bot.lines.some((l) => l.reason === 'send.permanent_error' && l.kind === 'recipient_refused')).toBe(true);
      const metrics = await (await fetch(`${bot.bot.baseUrl}/metrics`, { headers: admin })).text();
      expect(metrics).toMatch(/wf_activity_total\{event="messages_refused",kind="external_id"\} [1-9]/);
      expect(metrics).toMatch(/wf_queue_jobs\{queue="send",state="failed"\} 1/);
      // Replaying it changes nothing: refused again.
      const id = (await failed())[0]?.id as string;
      expect((await fetch(`${bot.bot.baseUrl}/api/send/failed/${id}/retry`, { method: 'POST', headers: admin })).status).toBe(202);
      await waitFor(async () => (await failed()).length === 1 && (await raw.getJob(id))?.attemptsMade === 2, { timeoutMs: 10_000 });
      expect(toExternal(bot.sandbox)).toEqual([]);
    } finally {
      await raw.close();
      redis.disconnect();
    }
  });

  test('the API client itself refuses, before any HTTP call: message/send and card updates', async () => {
    const redis = createRedis(REDIS_URL, 'general');
    const { log } = captureLogger();
    const api = createWeComApi(bot.config, redis, { now: () => Date.now() }, log);
    const before = bot.sandbox.calls.length;
    try {
      for (const touser of CUSTOMER_IDS) {
        await expect(api.sendMessage({ msgtype: 'text', text: { content: 'x' }, touser, agentid: 218 })).rejects.toBeInstanceOf(RecipientRefusedError);
        await expect(api.updateTemplateCard({ agentid: 218, response_code: 'rc', userids: [touser] })).rejects.toBeInstanceOf(RecipientRefusedError);
      }
      await expect(api.updateTemplateCard({ agentid: 218, response_code: 'rc', atall: 1 })).rejects.toBeInstanceOf(RecipientRefusedError);
      expect(bot.sandbox.calls.length).toBe(before);
    } finally {
      redis.disconnect();
    }
  });

  test('a send that fails for good (unknown member) is listed with its reason, counted, and can be replayed once fixed', async () => {
    const admin = { authorization: `Bearer ${bot.config.adminToken}` };
    const redis = createRedis(REDIS_URL, 'general');
    const queue = new SendQueue(redis, bot.prefix);
    try {
      await queue.enqueue({ key: 'to-ghost', touser: 'ghost', body: { msgtype: 'text', text: { content: '提醒' } } });
      const listed = async () =>
        (
          (await (await fetch(`${bot.bot.baseUrl}/api/send/failed?limit=10`, { headers: admin })).json()) as { items: { id: string; failedReason: string }[] }
        ).items.find((i) => /81013/.test(i.failedReason));
      await waitFor(async () => !!(await listed()), { timeoutMs: 10_000 });
      expect(bot.bot.lines.some((l) => l.reason === 'send.permanent_error' && l.errcode === 81013)).toBe(true);
      const metrics = await (await fetch(`${bot.bot.baseUrl}/metrics`, { headers: admin })).text();
      expect(metrics).toMatch(/wf_activity_total\{event="messages_failed",kind="81013"\} 1/);
      // The member is added in WeCom; the operator replays it.
      bot.sandbox.addUser({ userid: 'ghost', name: '新同事' });
      const id = (await listed())?.id as string;
      expect((await fetch(`${bot.bot.baseUrl}/api/send/failed/${encodeURIComponent(id)}/retry`, { method: 'POST', headers: admin })).status).toBe(202);
      await waitFor(() => bot.sandbox.inbox('ghost').length === 1, { timeoutMs: 10_000 });
    } finally {
      await queue.close();
      redis.disconnect();
    }
  });
});

describe('every attempt that reaches WeCom takes its own rate slot', () => {
  const MINUTE_MS = 1000; // a WeCom "minute" is 1 s here; the limits are WeCom's (30/min)
  const prefix = uniquePrefix('slots');
  let sandbox: WeComSandbox;
  let url: string;
  let redis: RedisClient;
  beforeAll(async () => {
    ({ sandbox, url } = await startSandbox({ minuteMs: MINUTE_MS, hourMs: 60 * MINUTE_MS }));
    sandbox.addUser({ userid: 'zhangsan', name: '张三' });
    redis = createRedis(REDIS_URL, 'general');
  });
  afterAll(async () => {
    redis.disconnect();
    await sandbox.close();
    await cleanupRedis(prefix);
  });

  test('40 messages to one rep while WeCom answers -1 to the first 45 calls: all delivered once, never more than 30 calls in any minute', async () => {
    const config = testConfig(prefix, {
      WECOM_API_BASE: url,
      WECOM_CORP_ID: SANDBOX_APP.corpId,
      WECOM_SECRET: SANDBOX_APP.secret,
      WECOM_AGENT_ID: String(SANDBOX_APP.agentId),
    });
    config.policy.send.marginMs = 100;
    const { log } = captureLogger('silent');
    const connection = createRedis(REDIS_URL, 'worker');
    const queue = new SendQueue(redis, prefix);
    const worker = startSendWorker({
      connection,
      redis,
      redisPrefix: prefix,
      client: createWeComApi(config, redis, { now: () => Date.now() }, log),
      limiter: createSendLimiter(config, redis, { minuteMs: MINUTE_MS, hourMs: 60 * MINUTE_MS }),
      clock: { now: () => Date.now() },
      timeZone: 'Asia/Shanghai',
      log,
      concurrency: 8,
    });
    try {
      sandbox.failNext('message/send', -1, 45);
      await queue.enqueueMany(
        Array.from({ length: 40 }, (_, i) => ({ key: `slot-${i}`, touser: 'zhangsan', body: { msgtype: 'text' as const, text: { content: `第 ${i} 条` } } })),
      );
      await waitFor(() => sandbox.inbox('zhangsan').length === 40, { timeoutMs: 40_000, intervalMs: 100 });
      const times = sandbox.calls
        .filter((c) => c.api === 'message/send' && c.touser === 'zhangsan')
        .map((c) => c.wallAt)
        .sort((a, b) => a - b);
      expect(times.length).toBe(40 + 45);
      let most = 0;
      for (let i = 0, j = 0; i < times.length; i++) {
        while ((times[i] as number) - (times[j] as number) >= MINUTE_MS) j++;
        most = Math.max(most, i - j + 1);
      }
      expect(most).toBeLessThanOrEqual(30);
      expect(sandbox.calls.filter((c) => c.errcode === 45009)).toHaveLength(0);
      expect(new Set(sandbox.inbox('zhangsan').map((m) => (m.body.msgtype === 'text' ? m.body.text.content : ''))).size).toBe(40);
    } finally {
      await worker.close();
      await queue.close();
      connection.disconnect();
    }
  }, 60_000);
});
