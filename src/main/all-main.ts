import { run } from './run';
import { startWeb } from './web';
import { startWorker } from './worker';

/** Web and workers in one process: the simplest deployment. */
void run('all', async (config, log) => [await startWeb(config, log), await startWorker(config, log)]);
