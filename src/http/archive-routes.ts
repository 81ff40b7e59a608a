import type Router from '@koa/router';
import type { ArchiveIntake } from '../app/ports';
import type { Logger } from '../log';
import { readSignedBody, SIGNED_BODY_STATUS, SignedBodyError } from './signed-body';

export interface ArchiveRouteDeps {
  archive: ArchiveIntake;
  log: Logger;
  /** HMAC key of the sidecar's batches; the route answers 404 when unset. */
  secret?: string;
  maxBodyBytes: number;
  /** Batches read at once; more answer 429 (ARCHIVE_BUSY) so memory stays bounded whatever callers do. */
  maxConcurrent: number;
}

/**
 * POST /ingest/archive: the chat-archive sidecar posts decrypted records, signed with ARCHIVE_SECRET; they are stored in
 * the event inbox and applied by a worker, and the answer is 202 with `{ received, queued, duplicates, skipped }`. Every refusal
 * has a status and a reason code: 404 ARCHIVE_DISABLED, 429 ARCHIVE_BUSY, 401 SIGNATURE_MISSING / SIGNATURE_MALFORMED
 * / SIGNATURE_INVALID, 413 BODY_TOO_LARGE, 400 BODY_UNREADABLE / BAD_REQUEST, 503 STORE_UNAVAILABLE.
 */
export function mountArchiveRoutes(router: Router, deps: ArchiveRouteDeps): void {
  let inFlight = 0;
  router.post('/ingest/archive', async (ctx) => {
    const refuse = (status: number, error: string, message?: string) => {
      ctx.status = status;
      ctx.body = { error, ...(message ? { message } : {}) };
      deps.log.warn({ reason: `archive.${error}`, status }, 'archive batch refused');
    };
    if (!deps.secret) return refuse(404, 'ARCHIVE_DISABLED', 'set ARCHIVE_SECRET to accept chat-archive records');
    if (inFlight >= deps.maxConcurrent) {
      ctx.set('Retry-After', '1');
      ctx.set('Connection', 'close');
      return refuse(429, 'ARCHIVE_BUSY', `at most ${deps.maxConcurrent} batches at once`);
    }
    inFlight++;
    try {
      let body: string;
      try {
        body = await readSignedBody(ctx, deps.secret, deps.maxBodyBytes);
      } catch (err) {
        if (!(err instanceof SignedBodyError)) throw err;
        return refuse(
          SIGNED_BODY_STATUS[err.code],
          err.code,
          err.code === 'SIGNATURE_INVALID' ? 'X-Signature must be sha256=<hex HMAC-SHA256 of the raw body with ARCHIVE_SECRET>' : err.message,
        );
      }
      let json: unknown;
      try {
        json = JSON.parse(body);
      } catch {
        return refuse(400, 'BAD_REQUEST', 'body is not JSON');
      }
      try {
        const answer = await deps.archive.ingest(json);
        if (!answer.ok) return refuse(400, 'BAD_REQUEST', answer.message);
        deps.log.info({ reason: 'archive.stored', ...answer.result }, 'archive batch stored for the worker');
        ctx.status = 202;
        ctx.body = answer.result;
      } catch (err) {
        deps.log.error({ reason: 'STORE_UNAVAILABLE', err: (err as Error).message }, 'archive batch not stored');
        refuse(503, 'STORE_UNAVAILABLE');
      }
    } finally {
      inFlight--;
    }
  });
}
