/** The real web process (src/main/web) for bench:board, on the bench's Redis prefix, WeCom's API served by the sandbox. */
import { readEnvOptions } from '../../src/config/env';
import { createLogger } from '../../src/log';
import { startWeb } from '../../src/main/web';
import { BENCH_SECRETS } from './secrets';
import { serveBenchIpc } from '../lib';

async function main() {
  const config = readEnvOptions({
    ...process.env,
    WECOM_CORP_ID: BENCH_SECRETS.corpId,
    WECOM_AGENT_ID: '1000002',
    WECOM_SECRET: 'bench',
    WECOM_TOKEN: BENCH_SECRETS.token,
    WECOM_AES_KEY: BENCH_SECRETS.aesKey,
    ADMIN_TOKEN: 'bench-admin-token-000000',
    LOG_LEVEL: 'warn',
  });
  const web = await startWeb(config, createLogger('warn'), { port: 0 });
  process.send?.({ port: web.port });
  serveBenchIpc(() => web.close());
}
void main();
