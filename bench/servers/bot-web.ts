/** The real webhook (src/main/web) for bench:ingress, on a bench-only Redis prefix. */
import { readEnvOptions } from '../../src/config/env';
import { createLogger } from '../../src/log';
import { startWeb } from '../../src/main/web';
import { BENCH_ENV } from './secrets';
import { serveBenchIpc } from '../lib';

async function main() {
  const config = readEnvOptions({ ...process.env, ...BENCH_ENV, LOG_LEVEL: 'warn' });
  const noop = process.env.BENCH_INBOX === 'noop' ? { record: async () => 'stored' as const } : undefined;
  const web = await startWeb(config, createLogger('warn'), { port: 0, inbox: noop });
  process.send?.({ port: web.port });
  serveBenchIpc(() => web.close());
}
void main();
