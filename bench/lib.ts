import { fork, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import autocannon from 'autocannon';

export interface ServerHandle {
  port: number;
  /** CPU time (user + system, µs) the server process has used so far. */
  cpuMicros(): Promise<number>;
  /**
   * Sends `message` and resolves with the `answer` field of the server's first reply that has it; a reply with an
   * `error` field, or the server's exit, rejects.
   */
  ask<T>(message: string, answer: string): Promise<T>;
  stop(): Promise<void>;
}

/** What every bench server does on IPC: report its CPU time, stop. */
export function serveBenchIpc(stop: () => Promise<void> = async () => undefined): void {
  process.on('message', async (m) => {
    if (m === 'cpu') {
      const u = process.cpuUsage();
      process.send?.({ cpu: u.user + u.system });
    }
    if (m === 'stop') {
      await stop();
      process.exit(0);
    }
  });
}

/** Runs a bench server in its own process (its own event loop), as a deployment would. */
export async function startServer(script: string, env: Record<string, string> = {}): Promise<ServerHandle> {
  // Compiled (dist-bench) runs fork compiled servers with plain node; source runs use tsx.
  const compiled = __filename.endsWith('.js');
  const child = fork(path.join(__dirname, compiled ? script.replace(/\.ts$/, '.js') : script), [], {
    env: { ...process.env, ...env },
    execArgv: [...(compiled ? [] : ['--import', 'tsx']), ...(process.env.BENCH_CPU_PROF ? ['--cpu-prof', '--cpu-prof-dir=' + process.env.BENCH_CPU_PROF] : [])],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    child.once('message', (m) => resolve((m as { port: number }).port));
    child.once('exit', (code) => reject(new Error(`${script} exited with ${code}`)));
  });
  const ask = <T>(message: string, answer: string) =>
    new Promise<T>((resolve, reject) => {
      const done = () => (child.off('message', on), child.off('exit', exited));
      const on = (m: unknown) => {
        if (typeof m !== 'object' || !m || !(answer in m || 'error' in m)) return;
        done();
        if (answer in m) resolve((m as Record<string, T>)[answer] as T);
        else reject(new Error(`${script}: ${String((m as { error: unknown }).error)}`));
      };
      const exited = (code: number | null) => (done(), reject(new Error(`${script} exited with ${code}`)));
      child.on('message', on);
      child.once('exit', exited);
      child.send(message);
    });
  return {
    port,
    cpuMicros: () => ask<number>('cpu', 'cpu'),
    ask,
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise<void>((r) => child.once('exit', () => r()));
      child.send('stop', () => undefined);
      const kill = setTimeout(() => child.kill('SIGKILL'), 3000);
      await exited;
      clearTimeout(kill);
    },
  };
}

export interface LoadResult {
  rps: number;
  p50: number;
  p99: number;
  non2xx: number;
  errors: number;
  total: number;
}

export interface PreparedRequest {
  path: string;
  body: string;
}

/** Fires prepared requests round-robin at a server with autocannon. */
export async function load(port: number, requests: PreparedRequest[], opts: { connections: number; duration: number }): Promise<LoadResult> {
  let i = 0;
  const result = await autocannon({
    url: `http://127.0.0.1:${port}`,
    connections: opts.connections,
    duration: opts.duration,
    requests: [
      {
        method: 'POST',
        headers: { 'content-type': 'text/xml' },
        setupRequest: (req) => {
          const r = requests[i++ % requests.length] as PreparedRequest;
          return { ...req, path: r.path, body: r.body };
        },
      },
    ],
  });
  return {
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
    total: result.requests.total,
  };
}

export const fmt = (n: number, d = 0) => n.toFixed(d).replace(/\B(?=(\d{3})+(?!\d))/g, ',');

/** CPU time (user + system, µs) of a process, from /proc (Linux): for processes the bench did not fork itself. */
export function procCpuMicros(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1e6) / CLOCK_TICKS;
  } catch {
    return 0;
  }
}
const CLOCK_TICKS = 100; // USER_HZ on Linux

/** `npm start` (dist-bench/src/main/all-main.js) as a deployment runs it: the supervisor with its web and worker processes. */
export interface StartHandle {
  port: number;
  /** CPU time (µs) used so far by the web processes and by the worker processes. */
  cpuMicros(): { web: number; worker: number };
  stop(): Promise<void>;
}

export async function startAllMain(env: Record<string, string>, port: number): Promise<StartHandle> {
  const child = spawn(process.execPath, [path.join(__dirname, '..', 'src', 'main', 'all-main.js')], {
    env: { ...process.env, ...env, PORT: String(port) },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const deadline = Date.now() + 30_000;
  for (;;) {
    const ok = await fetch(`http://127.0.0.1:${port}/readyz`).then(
      (r) => r.status === 200,
      () => false,
    );
    if (ok) break;
    if (Date.now() > deadline || child.exitCode !== null) throw new Error('npm start did not become ready');
    await new Promise((r) => setTimeout(r, 100));
  }
  await new Promise((r) => setTimeout(r, 1000)); // the worker process starts its pump and queues
  const rolesOf = (): { pid: number; role: string }[] => {
    const pids = readFileSync(`/proc/${child.pid}/task/${child.pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
    return pids.map((pid) => {
      const environ = readFileSync(`/proc/${pid}/environ`, 'utf8');
      return { pid, role: /(?:^|\0)WF_ROLE=(\w+)/.exec(environ)?.[1] ?? 'unknown' };
    });
  };
  return {
    port,
    cpuMicros() {
      const out = { web: 0, worker: 0 };
      for (const { pid, role } of rolesOf()) if (role === 'web' || role === 'worker') out[role] += procCpuMicros(pid);
      return out;
    },
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise<void>((r) => child.once('exit', () => r()));
      child.kill('SIGTERM');
      const kill = setTimeout(() => child.kill('SIGKILL'), 20_000);
      await exited;
      clearTimeout(kill);
    },
  };
}

/** A free TCP port on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.listen(0, '127.0.0.1', () => {
      const a = srv.address();
      srv.close(() => resolve(typeof a === 'object' && a ? a.port : 0));
    });
    srv.on('error', reject);
  });
}
