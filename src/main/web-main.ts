import { run } from './run';
import { startWeb } from './web';

void run('web', async (config, log) => [await startWeb(config, log)]);
