/** The real web process (src/main/web) for bench:board, on the bench's Redis prefix, WeCom's API served by the sandbox. */
import { readEnvOptions } from '../../src/config/env';
import { createLogger } from '../../src/log';
import { startWeb } from '../../src/main/web';
import { BENCH_ENV } from './secrets';
import { serveBenchIpc } from '../lib';

async function main() {
  const config = readEnvOptions({ ...process.env, ...BENCH_ENV, LOG_LEVEL: 'warn' });
  const web = await startWeb(config, createLogger('warn'), { port: 0 });
  process.send?.({ port: web.port });
  serveBenchIpc(() => web.close());
}
void main();
