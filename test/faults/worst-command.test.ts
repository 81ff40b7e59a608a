/**
 * One member's worst message never holds up anyone else: real web and worker processes, a member sending the most
 * expensive commands the caps allow — long runs of time words, digits, Chinese numbers and meeting words, a message
 * just under the command cap and one far over it — while ten other reps ask for their list (今日). Every other rep
 * is answered within 2 seconds, and the member gets an answer to every message too.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { MAX_COMMAND_CHARS } from '../../src/domain/commands';
import { CallbackDriver } from '../../tools/sandbox/callback-driver';
import { encodeAppEvent } from '../../tools/sandbox/event-xml';
import type { WeComSandbox } from '../../tools/sandbox/wecom-sandbox';
import { uniquePrefix, VECTOR_A, waitFor } from '../helpers/config';
import { PrivateRedis } from '../helpers/redis-server';
import { startChild, startSandbox } from '../helpers/sandbox';

const ATTACKER = 'mallory';
const REPS = Array.from({ length: 10 }, (_, i) => `rep${i}`);
const fill = (head: string, unit: string, tail = 'x') => head + unit.repeat(Math.floor((MAX_COMMAND_CHARS - head.length - tail.length) / unit.length)) + tail;
const WORST = [
  fill('', '刚'),
  fill('', '刚刚才'),
  fill('会议 王总 ', '下午'),
  fill('电话 王总 ', '1'),
  fill('电话 王总 ', '一'),
  fill('跟王总约', '会', '\n'),
  fill('给', '王总'),
  fill('电话 王总 ', '1 '),
  // Over the cap (a WeCom text is at most 2,048 bytes): answered unread.
  '刚'.repeat(MAX_COMMAND_CHARS + 300),
];

type Child = Awaited<ReturnType<typeof startChild>>;
const children: Child[] = [];
let server: PrivateRedis;
let dir: string;
let sandbox: WeComSandbox;
let sandboxUrl: string;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'wf-worst-'));
  server = new PrivateRedis(await PrivateRedis.freePort(), dir);
  await server.start();
  ({ sandbox, url: sandboxUrl } = await startSandbox({ corpId: VECTOR_A.corpId, secret: 'test-secret', agentId: 218 }));
  for (const r of [ATTACKER, ...REPS]) sandbox.addUser({ userid: r, name: r });
});
afterAll(async () => {
  await Promise.all(children.map((c) => c.stop()));
  await sandbox.close();
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
});

test('a member sends the worst commands the caps allow; every other rep is answered within 2 s', async () => {
  const env = {
    PREFIX: uniquePrefix('worst'),
    TEST_REDIS_URL: server.url,
    SANDBOX_URL: sandboxUrl,
    CORP_ID: VECTOR_A.corpId,
    SECRET: 'test-secret',
    AGENT_ID: '218',
  };
  const [web, worker] = await Promise.all([startChild('web', env), startChild('worker', env)]);
  children.push(web, worker);
  const driver = new CallbackDriver(`http://127.0.0.1:${web.ready.port as number}`, { ...VECTOR_A });
  let msg = 7_300_000_000;
  const say = (fromUser: string, content: string) =>
    driver.deliver(
      driver.appRequest(
        encodeAppEvent(
          { kind: 'app_text', corpId: VECTOR_A.corpId, createTime: Math.floor(Date.now() / 1000), msgId: String(msg++), fromUser, content, agentId: '218' },
          VECTOR_A.corpId,
        ),
      ),
      { retries: 0 },
    );
  const answered = (rep: string, n: number) => sandbox.inbox(rep).length >= n;

  // Warm the worker up (its first command compiles the parsers), then the attack and the ordinary requests at once.
  const warm = await say(REPS[0] as string, '帮助');
  expect(warm.status).toBe(200);
  await waitFor(() => answered(REPS[0] as string, 1), { timeoutMs: 20_000 });

  const waits: number[] = [];
  for (let round = 0; round < 3; round++) {
    const attack = WORST.map(async (w) => expect((await say(ATTACKER, w)).status).toBe(200));
    const ordinary = REPS.map(async (rep) => {
      const before = sandbox.inbox(rep).length;
      const t = Date.now();
      const res = await say(rep, '今日');
      expect(res.status).toBe(200);
      await waitFor(() => answered(rep, before + 1), { timeoutMs: 10_000, intervalMs: 10 });
      waits.push(Date.now() - t);
    });
    await Promise.all([...attack, ...ordinary]);
  }
  expect(Math.max(...waits)).toBeLessThan(2000);

  // The member is answered too: each message, the long one with how long a command may be.
  await waitFor(() => answered(ATTACKER, WORST.length * 3), { timeoutMs: 20_000 });
  const texts = sandbox.inbox(ATTACKER).map((m) => (m.body.msgtype === 'text' ? m.body.text.content : ''));
  expect(texts.filter((t) => t.includes('太长了'))).toHaveLength(3);
});
