import type { Context } from 'koa';
import getRawBody from 'raw-body';
import { CallbackError } from '../wecom/errors';

/** Reads the request body as UTF-8 with a hard size limit; 413 (BODY_TOO_LARGE) above it. */
export async function readRawBody(ctx: Context, limit: number): Promise<string> {
  const declared = Number(ctx.get('content-length') || NaN);
  if (Number.isFinite(declared) && declared > limit) {
    throw new CallbackError('BODY_TOO_LARGE', `body of ${declared} bytes exceeds the ${limit}-byte limit`);
  }
  try {
    return await getRawBody(ctx.req, { limit, encoding: 'utf8', length: Number.isFinite(declared) ? declared : undefined });
  } catch (err) {
    const e = err as { type?: string; message: string };
    if (e.type === 'entity.too.large') throw new CallbackError('BODY_TOO_LARGE', `body exceeds the ${limit}-byte limit`);
    throw new CallbackError('ENVELOPE_MALFORMED', `body could not be read: ${e.type ?? e.message}`);
  }
}
