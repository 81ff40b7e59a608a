import cluster from 'node:cluster';
import { configOrExit, run } from './run';
import { processCounts, ROLE_ENV, Supervisor } from './supervisor';
import { startWeb } from './web';
import { startWorker } from './worker';

/**
 * `npm start`: the web role and the worker role in processes of their own, so both use a core (supervisor.ts). Each
 * forked process runs one role, exactly as `start:web` / `start:worker` do; deployments that place processes
 * themselves use those.
 */
if (cluster.isPrimary) {
  const { config, log } = configOrExit('supervisor');
  void new Supervisor(processCounts(config.processes), log, { workerNice: config.processes.workerNice }).start().then((code) => process.exit(code));
} else if (process.env[ROLE_ENV] === 'web') {
  void run('web', async (config, log) => [await startWeb(config, log)]);
} else {
  void run('worker', async (config, log) => [await startWorker(config, log)]);
}
