import type { Context } from 'koa';
import { StoreUnavailableError } from '../app/ports';
import type { Logger } from '../log';
import { CallbackError, type CallbackRejection } from '../wecom/errors';

const STATUS: Record<CallbackRejection, number> = {
  SIGNATURE_MISSING: 401,
  SIGNATURE_INVALID: 401,
  RECEIVEID_MISMATCH: 401,
  DECRYPT_FAILED: 400,
  ENVELOPE_MALFORMED: 400,
  PAYLOAD_MALFORMED: 400,
  BODY_TOO_LARGE: 413,
};

/**
 * Turns a rejected callback into its defined answer and one log line with a stable reason code. Anything that is not
 * a known rejection is a 503: we did not store the event, so WeCom must retry it.
 */
export function answerCallbackError(ctx: Context, err: unknown, log: Logger, route: string): void {
  if (err instanceof CallbackError) {
    ctx.status = STATUS[err.code];
    ctx.body = err.code;
    log.warn({ reason: err.code, route, status: ctx.status, detail: err.message }, 'callback rejected');
    return;
  }
  const code = err instanceof StoreUnavailableError ? err.code : 'INTERNAL_ERROR';
  ctx.status = 503;
  ctx.body = code;
  ctx.set('Retry-After', '1');
  log.error({ reason: code, route, status: 503, detail: (err as Error)?.message }, 'callback not stored: answered 503 so WeCom retries');
}
