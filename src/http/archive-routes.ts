import type Router from '@koa/router';
import type Koa from 'koa';
import type { ArchiveIntake, ArchivePullState } from '../app/ports';
import { pageOf } from './query';
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

const iso = (ms: number | undefined) => (ms ? new Date(ms).toISOString() : null);

/**
 * The chat-archive puller for operators (admin token): GET /api/archive/status (checkpoint, counts, lag, last
 * success, a gap, why it stopped), GET /api/archive/parked (records kept aside because their key version is missing,
 * oldest first, paged) and POST /api/archive/parked/retry (the puller reads its keys again and replays them; 202).
 */
export function mountArchiveAdminRoutes(router: Router, admin: Koa.Middleware, deps: { state: ArchivePullState }): void {
  router.get('/api/archive/status', admin, async (ctx) => {
    const s = await deps.state.status();
    ctx.body = { ...s, lastPullAt: iso(s.lastPullAt), lastSuccessAt: iso(s.lastSuccessAt), gapAt: iso(s.gapAt), holder: s.holder ?? null };
  });
  router.get('/api/archive/parked', admin, async (ctx) => {
    const paging = pageOf(ctx, ctx.query, { maxLimit: 500 });
    if (!paging) return;
    const { offset, limit } = paging;
    const { total, items } = await deps.state.parked(offset, limit);
    ctx.body = {
      total,
      offset,
      limit,
      items: items.map((p) => ({ seq: p.item.seq, msgid: p.item.msgid, publickeyVer: p.item.publickey_ver, reason: p.reason, parkedAt: iso(p.parkedAt) })),
    };
  });
  router.post('/api/archive/parked/retry', admin, async (ctx) => {
    await deps.state.requestRetry();
    const { total } = await deps.state.parked(0, 1);
    ctx.status = 202;
    ctx.body = { requested: true, parked: total };
  });
}
