/**
 * Parses a raw query string, percent-decoding each value exactly once. Unlike querystring/URLSearchParams it leaves
 * "+" alone: WeCom's echostr is base64, where "+" is data, not a space (docs/wecom-protocol.md §1.2).
 */
export function parseRawQuery(qs: string): Record<string, string> {
  const out: Record<string, string> = {};
  if (!qs) return out;
  for (const part of qs.split('&')) {
    if (!part) continue;
    const eq = part.indexOf('=');
    const rawKey = eq === -1 ? part : part.slice(0, eq);
    const rawValue = eq === -1 ? '' : part.slice(eq + 1);
    let key: string;
    let value: string;
    try {
      key = decodeURIComponent(rawKey);
      value = decodeURIComponent(rawValue);
    } catch {
      continue; // malformed escape: treat as absent; the signature check then fails cleanly
    }
    if (!(key in out)) out[key] = value;
  }
  return out;
}

/** How far into a list a page may start: past it, a page is refused rather than read through. */
export const MAX_OFFSET = 10_000;

/**
 * `?offset=&limit=` of a list route: whole, safe numbers, limit 1 to `maxLimit` (default `defaultLimit`), offset 0 to
 * MAX_OFFSET; or the reason they are not (answered 400 PAGING_INVALID) — never a fraction, an exponent or Infinity
 * handed to Redis.
 */
export function parsePaging(
  q: Record<string, unknown>,
  opts: { maxLimit: number; defaultLimit?: number },
): { ok: true; offset: number; limit: number } | { ok: false; message: string } {
  const whole = (v: unknown, dflt: number): number | undefined => {
    if (v === undefined) return dflt;
    if (typeof v !== 'string' || !/^\d{1,9}$/.test(v)) return undefined;
    return Number(v);
  };
  const limit = whole(q.limit, opts.defaultLimit ?? 50);
  const offset = whole(q.offset, 0);
  if (limit === undefined || limit < 1 || limit > opts.maxLimit) return { ok: false, message: `limit must be a whole number from 1 to ${opts.maxLimit}` };
  if (offset === undefined || offset > MAX_OFFSET) return { ok: false, message: `offset must be a whole number from 0 to ${MAX_OFFSET}` };
  return { ok: true, offset, limit };
}

/** parsePaging on a route's query: the page, or undefined once the request is answered 400 PAGING_INVALID. */
export function pageOf(
  ctx: { status: number; body: unknown },
  q: Record<string, unknown>,
  opts: { maxLimit: number; defaultLimit?: number },
): { offset: number; limit: number } | undefined {
  const paging = parsePaging(q, opts);
  if (paging.ok) return { offset: paging.offset, limit: paging.limit };
  ctx.status = 400;
  ctx.body = { error: 'PAGING_INVALID', message: paging.message };
  return undefined;
}
