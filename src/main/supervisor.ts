import cluster, { type Worker as ClusterWorker } from 'node:cluster';
import os from 'node:os';
import type { Logger } from '../log';
import { EX_CONFIG } from './run';

export type Role = 'web' | 'worker';

/** The environment variable that tells a forked process which role to run. */
export const ROLE_ENV = 'WF_ROLE';

/**
 * How many processes of each role `npm start` runs: what the config says, else the machine's cores split between the
 * roles (at least one each). On 2 cores: one web process and one worker process, each with a core of its own.
 */
export function processCounts(configured: { web?: number; worker?: number }, cores = os.availableParallelism()): Record<Role, number> {
  const web = configured.web ?? Math.max(1, Math.floor(cores / 2));
  const worker = configured.worker ?? Math.max(1, cores - web);
  return { web, worker };
}

/**
 * The primary of `npm start`: forks the web and worker processes (node:cluster, so web processes share the port),
 * keeps them running — a process that dies is replaced, after a back-off that grows while it keeps dying — and stops
 * them all on SIGTERM / SIGINT: each is asked to shut down cleanly (SIGTERM; in-flight jobs and requests finish) and
 * killed if it has not exited within `graceMs`. The children inherit stdout, so their log lines (each with its `process`
 * and `pid`) and the primary's make one stream.
 */
export class Supervisor {
  private readonly roles = new Map<number, { role: Role; startedAt: number }>();
  private readonly failures: Record<Role, number> = { web: 0, worker: 0 };
  private stopping = false;
  /** What the supervisor exits with once every process has stopped. */
  private exitCode = 0;
  private finished: (code: number) => void = () => undefined;

  constructor(
    private readonly counts: Record<Role, number>,
    private readonly log: Logger,
    private readonly opts: { graceMs?: number; maxBackoffMs?: number; workerNice?: number } = {},
  ) {}

  start(): Promise<number> {
    cluster.setupPrimary({ silent: false });
    for (const role of ['web', 'worker'] as const) for (let i = 0; i < this.counts[role]; i++) this.fork(role);
    this.log.info({ reason: 'supervisor.started', ...this.counts, cores: os.availableParallelism() }, 'started web and worker processes');
    return new Promise((resolve) => {
      this.finished = resolve;
      cluster.on('exit', (w, code, signal) => this.onExit(w, code, signal));
      process.on('SIGTERM', () => this.stop('SIGTERM'));
      process.on('SIGINT', () => this.stop('SIGINT'));
    });
  }

  private fork(role: Role): void {
    const w = cluster.fork({ [ROLE_ENV]: role });
    this.roles.set(w.id, { role, startedAt: Date.now() });
    // Workers yield the CPU to the web processes: a callback is answered within WeCom's window first; applying it can
    // wait in the durable inbox a moment.
    const nice = this.opts.workerNice ?? 0;
    if (role === 'worker' && nice > 0 && w.process.pid) {
      try {
        os.setPriority(w.process.pid, nice);
      } catch (err) {
        this.log.warn({ reason: 'supervisor.nice_failed', err: (err as Error).message }, 'could not lower the worker process priority');
      }
    }
  }

  private onExit(w: ClusterWorker, code: number | null, signal: string | null): void {
    const info = this.roles.get(w.id);
    this.roles.delete(w.id);
    if (!info) return;
    if (this.stopping) {
      if (this.roles.size === 0) this.finished(this.exitCode);
      return;
    }
    if (code === EX_CONFIG) {
      this.log.fatal({ reason: 'supervisor.config_error', role: info.role }, 'a process found the configuration wrong; stopping');
      this.exitCode = EX_CONFIG;
      this.stop('config');
      return;
    }
    // A process that lived a minute had recovered: its next death starts the back-off again.
    this.failures[info.role] = Date.now() - info.startedAt > 60_000 ? 1 : this.failures[info.role] + 1;
    const delay = Math.min(250 * 2 ** (this.failures[info.role] - 1), this.opts.maxBackoffMs ?? 30_000);
    this.log.error(
      { reason: 'supervisor.process_died', role: info.role, pid: w.process.pid, code, signal, restartInMs: delay },
      'a process died; replacing it',
    );
    // Not unref'd: when every process is down, the pending replacement is what keeps the supervisor running.
    setTimeout(() => !this.stopping && this.fork(info.role), delay);
  }

  private stop(why: string): void {
    if (this.stopping) return;
    this.stopping = true;
    this.log.info({ reason: 'supervisor.stopping', signal: why }, 'stopping web and worker processes');
    // The supervisor finishes when the last process has exited (onExit), or now if none is running.
    if (this.roles.size === 0) return this.finished(this.exitCode);
    const live = () => Object.values(cluster.workers ?? {}).filter((w): w is ClusterWorker => !!w && !w.isDead());
    for (const w of live()) w.process.kill('SIGTERM');
    setTimeout(() => live().forEach((w) => w.process.kill('SIGKILL')), this.opts.graceMs ?? 30_000).unref();
  }
}
