import { keepAliveFile } from './alive-file';
import { run } from './run';
import { startWorker } from './worker';

void run('worker', async (config, log) => {
  const worker = await startWorker(config, log);
  const alive = process.env.WORKER_ALIVE_FILE;
  return alive ? [worker, keepAliveFile(alive)] : [worker];
});
