/**
 * Baseline for bench:ingress: a bare Koa route that does the unavoidable work of a WeCom callback — read the raw
 * body, find <Encrypt>, verify the signature, decrypt with @wecom/crypto — and answers 200 without storing anything.
 * It decrypts with the library's plain `decrypt`; the webhook's extra checks (the re-encryption round trip, the
 * receiveid) count against the webhook, not the baseline.
 */
import Koa from 'koa';
import getRawBody from 'raw-body';
import { parseAppEnvelope } from '../../src/wecom/codec';
import { decrypt } from '@wecom/crypto';
import { verifySignature } from '../../src/wecom/crypto';
import { parseRawQuery } from '../../src/http/query';
import { BENCH_SECRETS } from './secrets';
import { serveBenchIpc } from '../lib';

const app = new Koa();
app.use(async (ctx) => {
  const body = await getRawBody(ctx.req, { limit: 1024 * 1024, encoding: 'utf8' });
  const q = parseRawQuery(ctx.querystring);
  const { encrypt } = parseAppEnvelope(body);
  verifySignature(BENCH_SECRETS.token, { signature: q.msg_signature, timestamp: q.timestamp, nonce: q.nonce }, encrypt);
  decrypt(BENCH_SECRETS.aesKey, encrypt);
  ctx.status = 200;
  ctx.body = '';
});
const server = app.listen(Number(process.env.PORT ?? 0), () => {
  const a = server.address();
  process.send?.({ port: typeof a === 'object' && a ? a.port : 0 });
});
serveBenchIpc();
