import type { Context, Middleware } from 'koa';
import type { CallbackIntake } from '../app/ports';
import type { Logger } from '../log';
import type { WebMetrics } from './web-metrics';
import { answerCallbackError } from './errors';
import { parseRawQuery } from './query';
import { readRawBody } from './raw-body';

/** One callback URL configured in WeCom's admin console and the receiver behind it. */
export interface CallbackRoute {
  path: string;
  receiver: CallbackIntake;
}

/**
 * The callback URLs: GET (URL verification), POST (encrypted callbacks), 405 for any other method. A middleware of
 * its own, mounted ahead of the router: a callback flood pays one map lookup for its routing instead of the
 * router's match over every board and admin route and the middleware it composes per request (bench:ingress).
 */
export function callbackRoutes(routes: CallbackRoute[], log: Logger, maxBodyBytes: number, metrics?: WebMetrics): Middleware {
  const byPath = new Map(routes.map((r) => [r.path, r.receiver]));
  return (ctx, next) => {
    // The request line's path as sent (WeCom sends origin-form: path?query) is looked up first; only a miss pays for
    // Koa's parsed ctx.path, which also finds a callback URL in any other form.
    const url = ctx.url;
    const q = url.indexOf('?');
    let route = q === -1 ? url : url.slice(0, q);
    let receiver = byPath.get(route);
    if (!receiver) {
      route = ctx.path;
      receiver = byPath.get(route);
    }
    if (!receiver) return next();
    switch (ctx.method) {
      case 'POST':
        return receive(ctx, route, receiver, log, maxBodyBytes, metrics);
      case 'GET':
      case 'HEAD':
        verifyUrl(ctx, route, receiver, log);
        return Promise.resolve();
      default:
        ctx.status = 405;
        ctx.set('Allow', 'HEAD, GET, POST');
        return Promise.resolve();
    }
  };
}

function verifyUrl(ctx: Context, route: string, receiver: CallbackIntake, log: Logger): void {
  try {
    const plain = receiver.verifyUrl(parseRawQuery(ctx.querystring));
    ctx.status = 200;
    ctx.type = 'text/plain';
    ctx.body = plain; // exactly the plaintext: no quotes, BOM or newline
    log.info({ reason: 'callback.url_verified', route }, 'URL verification answered');
  } catch (err) {
    answerCallbackError(ctx, err, log, route);
  }
}

async function receive(ctx: Context, route: string, receiver: CallbackIntake, log: Logger, maxBodyBytes: number, metrics?: WebMetrics): Promise<void> {
  const started = performance.now();
  try {
    const body = await readRawBody(ctx, maxBodyBytes);
    const callback = await receiver.receive(parseRawQuery(ctx.querystring), body);
    ctx.status = 200;
    ctx.body = ''; // empty 200: "received"; replies go out asynchronously through the send queue
    if (log.isLevelEnabled('debug')) log.debug({ reason: 'callback.recorded', route, eventId: callback.id }, 'callback recorded');
    metrics?.callback(route, 200, 'RECORDED', started);
  } catch (err) {
    answerCallbackError(ctx, err, log, route);
    metrics?.callback(route, ctx.status, String(ctx.body), started);
  }
}
