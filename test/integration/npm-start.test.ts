/**
 * `npm start` (src/main/all-main.ts) uses every core: a supervisor forks web and worker processes; a callback sent to
 * the web process is applied by a worker process; a process that dies is replaced; SIGTERM stops them all cleanly;
 * every process logs to the one stream, each line naming its process.
 */
import type { ChildProcess } from 'node:child_process';
import { CallbackDriver } from '../../tools/sandbox/callback-driver';
import { cleanupRedis, testEnv, uniquePrefix, VECTOR_A, waitFor } from '../helpers/config';
import { startSandbox } from '../helpers/sandbox';
import { spawnBot } from '../helpers/bot-process';
import { processCounts } from '../../src/main/supervisor';

const prefix = uniquePrefix('npm-start');
let sb: Awaited<ReturnType<typeof startSandbox>>;
let proc: ChildProcess;
let logged: (reason: string) => Record<string, unknown>[];

beforeAll(async () => {
  sb = await startSandbox({ corpId: VECTOR_A.corpId, secret: 'test-secret', agentId: 218 });
  sb.sandbox.addUser({ userid: 'zhangsan', name: '张三' });
  ({ proc, logged } = spawnBot({
    ...process.env,
    ...testEnv(prefix, { WECOM_API_BASE: sb.url, LOG_LEVEL: 'info', WEB_PROCESSES: '2', WORKER_PROCESSES: '1' }),
  }));
  await waitFor(() => logged('web.started').length === 2 && logged('worker.started').length === 1, { timeoutMs: 30_000 });
}, 40_000);

afterAll(async () => {
  if (proc.exitCode === null) proc.kill('SIGKILL');
  await sb.sandbox.close();
  await cleanupRedis(prefix);
});

test('by default the cores are split between the roles, at least one process each', () => {
  expect(processCounts({}, 2)).toEqual({ web: 1, worker: 1 });
  expect(processCounts({}, 1)).toEqual({ web: 1, worker: 1 });
  expect(processCounts({}, 8)).toEqual({ web: 4, worker: 4 });
  expect(processCounts({ web: 3 }, 8)).toEqual({ web: 3, worker: 5 });
});

test('web and worker run in processes of their own, log to one stream, and a callback goes through both', async () => {
  const webs = logged('web.started');
  const worker = logged('worker.started')[0] as { pid: number };
  expect(new Set(webs.map((l) => l.pid)).size).toBe(2);
  expect(webs.every((l) => l.process === 'web' && l.port === webs[0]?.port)).toBe(true); // the web processes share the port
  expect(webs.map((l) => l.pid)).not.toContain(worker.pid);
  expect(worker.pid).not.toBe(proc.pid);
  expect(logged('supervisor.started')[0]).toMatchObject({ process: 'supervisor', web: 2, worker: 1, pid: proc.pid });

  const base = `http://127.0.0.1:${webs[0]?.port as number}`;
  expect((await fetch(`${base}/healthz`)).status).toBe(200);
  const driver = new CallbackDriver(base, { ...VECTOR_A });
  const res = await driver.send({
    kind: 'app_text',
    corpId: VECTOR_A.corpId,
    createTime: Math.floor(Date.now() / 1000),
    msgId: '8400000000000000001',
    fromUser: 'zhangsan',
    content: '今日',
    agentId: '218',
  });
  expect(res.status).toBe(200);
  // The worker process applied it and answered the rep through the send queue.
  await waitFor(() => sb.sandbox.inbox('zhangsan').length > 0, { timeoutMs: 15_000 });
});

test('a process that dies is replaced; SIGTERM stops every process and the supervisor exits 0', async () => {
  const worker = logged('worker.started')[0] as { pid: number };
  process.kill(worker.pid, 'SIGKILL');
  await waitFor(() => logged('supervisor.process_died').length === 1 && logged('worker.started').length === 2, { timeoutMs: 20_000 });
  expect(logged('supervisor.process_died')[0]).toMatchObject({ role: 'worker', pid: worker.pid, signal: 'SIGKILL' });

  const pids = [...logged('web.started'), ...logged('worker.started').slice(1)].map((l) => l.pid as number);
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  proc.kill('SIGTERM');
  expect(await exited).toBe(0);
  expect(
    logged('process.stopping')
      .map((l) => l.process)
      .sort(),
  ).toEqual(['web', 'web', 'worker']);
  const alive = pids.filter((pid) => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  });
  expect(alive).toEqual([]);
}, 40_000);
