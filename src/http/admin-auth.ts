import { createHash, timingSafeEqual } from 'node:crypto';
import type { Middleware } from 'koa';

const digest = (s: string) => createHash('sha256').update(s).digest();

/** The secret a request presents: a Bearer token, or the password of HTTP Basic (any user name). */
function presented(header: string): string | undefined {
  const bearer = /^Bearer\s+(.+)$/i.exec(header);
  if (bearer) return bearer[1];
  const basic = /^Basic\s+(.+)$/i.exec(header);
  if (!basic) return undefined;
  const decoded = Buffer.from(basic[1] ?? '', 'base64').toString('utf8');
  return decoded.includes(':') ? decoded.slice(decoded.indexOf(':') + 1) : undefined;
}

/**
 * `Authorization: Bearer $ADMIN_TOKEN` (or HTTP Basic with it as the password, for browsers), compared in constant
 * time; 401 otherwise. `browser`: the 401 asks for Basic, so a browser prompts (the queue dashboard).
 */
export function requireAdmin(adminToken: string, opts: { browser?: boolean } = {}): Middleware {
  const expected = digest(adminToken);
  return async (ctx, next) => {
    const secret = presented(ctx.get('authorization'));
    if (secret === undefined || !timingSafeEqual(digest(secret), expected)) {
      ctx.status = 401;
      ctx.set('WWW-Authenticate', opts.browser ? 'Basic realm="wecom-followup admin", charset="UTF-8"' : 'Bearer');
      ctx.body = { error: 'UNAUTHORIZED', message: 'Authorization: Bearer <ADMIN_TOKEN> required' };
      return;
    }
    await next();
  };
}
