import type { Context } from 'koa';
import { InboxFullError, StoreUnavailableError } from '../app/ports';
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
  TIMESTAMP_STALE: 401,
  ECHOSTR_INVALID: 400,
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
  if (err instanceof InboxFullError) {
    // Not a fault of ours or WeCom's: the workers are behind. Refuse what we could not keep; WeCom retries.
    ctx.status = 503;
    ctx.body = err.code;
    ctx.set('Retry-After', '5');
    log.warn({ reason: err.code, route, status: 503, backlog: err.backlog, limit: err.limit }, 'inbox full: callback refused with 503 so WeCom retries');
    return;
  }
  const code = err instanceof StoreUnavailableError ? err.code : 'INTERNAL_ERROR';
  ctx.status = 503;
  ctx.body = code;
  ctx.set('Retry-After', '1');
  log.error({ reason: code, route, status: 503, detail: (err as Error)?.message }, 'callback not stored: answered 503 so WeCom retries');
}
