import type { Context } from 'koa';
import { CallbackError } from '../wecom/errors';
import { readRawBody } from './raw-body';

/**
 * A small JSON body from a page: `Content-Type: application/json` (a cross-site form cannot send one), at most
 * `limit` bytes, parsed; each refusal with its status and code.
 */
export async function readJsonBody(
  ctx: Context,
  limit: number,
): Promise<{ ok: true; value: unknown } | { ok: false; status: number; error: string; message: string }> {
  if (!ctx.is('application/json')) return { ok: false, status: 415, error: 'JSON_REQUIRED', message: 'Content-Type: application/json' };
  let raw: string;
  try {
    raw = await readRawBody(ctx, limit);
  } catch (err) {
    if (err instanceof CallbackError && err.code === 'BODY_TOO_LARGE') return { ok: false, status: 413, error: 'BODY_TOO_LARGE', message: err.message };
    return { ok: false, status: 400, error: 'BODY_UNREADABLE', message: 'the body could not be read' };
  }
  try {
    return { ok: true, value: JSON.parse(raw) as unknown };
  } catch {
    return { ok: false, status: 400, error: 'BAD_REQUEST', message: 'body is not JSON' };
  }
}
