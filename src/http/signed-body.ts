import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Context } from 'koa';

/** Why a signed body was refused; each has one HTTP status (see SIGNED_BODY_STATUS). */
export type SignedBodyRejection = 'SIGNATURE_MISSING' | 'SIGNATURE_MALFORMED' | 'SIGNATURE_INVALID' | 'BODY_TOO_LARGE' | 'BODY_UNREADABLE';

export const SIGNED_BODY_STATUS: Record<SignedBodyRejection, number> = {
  SIGNATURE_MISSING: 401,
  SIGNATURE_MALFORMED: 401,
  SIGNATURE_INVALID: 401,
  BODY_TOO_LARGE: 413,
  BODY_UNREADABLE: 400,
};

export class SignedBodyError extends Error {
  constructor(
    readonly code: SignedBodyRejection,
    message: string,
  ) {
    super(message);
    this.name = 'SignedBodyError';
  }
}

const SIGNATURE = /^sha256=([0-9a-f]{64})$/i;

/**
 * Reads a body signed with `X-Signature: sha256=<hex HMAC-SHA256 of the raw body>`, for callers that are not WeCom
 * (the chat-archive sidecar). An unauthenticated caller costs us as little as possible: a missing or malformed
 * signature, or a declared length over the limit, is refused before a byte of the body is read; the HMAC is computed
 * while the body streams in, as Buffers (nothing is decoded into a string before it is proved), and reading stops at
 * the limit. Returns the verified body as UTF-8.
 */
export async function readSignedBody(ctx: Context, secret: string, limit: number): Promise<string> {
  const header = ctx.get('x-signature');
  if (!header) throw new SignedBodyError('SIGNATURE_MISSING', 'X-Signature is required');
  const given = SIGNATURE.exec(header)?.[1];
  if (!given) throw new SignedBodyError('SIGNATURE_MALFORMED', 'X-Signature must be sha256=<64 hex digits>');
  const declared = Number(ctx.get('content-length') || NaN);
  if (Number.isFinite(declared) && declared > limit) throw new SignedBodyError('BODY_TOO_LARGE', `body of ${declared} bytes exceeds the ${limit}-byte limit`);

  const hmac = createHmac('sha256', secret);
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of ctx.req as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > limit) throw new SignedBodyError('BODY_TOO_LARGE', `body exceeds the ${limit}-byte limit`);
      hmac.update(chunk);
      chunks.push(chunk);
    }
  } catch (err) {
    chunks.length = 0;
    ctx.set('Connection', 'close'); // the rest of the body is not read: do not reuse this connection
    if (err instanceof SignedBodyError) throw err;
    throw new SignedBodyError('BODY_UNREADABLE', `body could not be read: ${(err as Error).message}`);
  }
  if (!timingSafeEqual(Buffer.from(given, 'hex'), hmac.digest())) {
    chunks.length = 0;
    throw new SignedBodyError('SIGNATURE_INVALID', 'X-Signature does not match the body');
  }
  return Buffer.concat(chunks, size).toString('utf8');
}
