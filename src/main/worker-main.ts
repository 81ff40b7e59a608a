import { run } from './run';
import { startWorker } from './worker';

void run('worker', async (config, log) => [await startWorker(config, log)]);
