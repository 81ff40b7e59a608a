import { createHash, timingSafeEqual } from 'node:crypto';
import type { Middleware } from 'koa';

const digest = (s: string) => createHash('sha256').update(s).digest();

/** `Authorization: Bearer $ADMIN_TOKEN`, compared in constant time; 401 otherwise. */
export function requireAdmin(adminToken: string): Middleware {
  const expected = digest(adminToken);
  return async (ctx, next) => {
    const header = ctx.get('authorization');
    const m = /^Bearer\s+(.+)$/i.exec(header);
    if (!m || !timingSafeEqual(digest(m[1] ?? ''), expected)) {
      ctx.status = 401;
      ctx.set('WWW-Authenticate', 'Bearer');
      ctx.body = { error: 'UNAUTHORIZED', message: 'Authorization: Bearer <ADMIN_TOKEN> required' };
      return;
    }
    await next();
  };
}
