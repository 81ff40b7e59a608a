/**
 * Baseline for bench:ingress: a bare Koa route that does the unavoidable work of a WeCom callback — read the raw
 * body, find <Encrypt>, verify the signature, decrypt — and answers 200 without storing anything.
 */
import Koa from 'koa';
import getRawBody from 'raw-body';
import { parseAppEnvelope } from '../../src/wecom/codec';
import { decryptVerified, verifySignature } from '../../src/wecom/crypto';
import { parseRawQuery } from '../../src/http/query';
import { BENCH_SECRETS } from './secrets';

const app = new Koa();
app.use(async (ctx) => {
  const body = await getRawBody(ctx.req, { limit: 1024 * 1024, encoding: 'utf8' });
  const q = parseRawQuery(ctx.querystring);
  const { encrypt } = parseAppEnvelope(body);
  verifySignature(BENCH_SECRETS.token, { signature: q.msg_signature, timestamp: q.timestamp, nonce: q.nonce }, encrypt);
  decryptVerified(BENCH_SECRETS.aesKey, encrypt, BENCH_SECRETS.corpId);
  ctx.status = 200;
  ctx.body = '';
});
const server = app.listen(Number(process.env.PORT ?? 0), () => {
  const a = server.address();
  process.send?.({ port: typeof a === 'object' && a ? a.port : 0 });
});
