import type Router from '@koa/router';
import type { CallbackIntake } from '../app/ports';
import type { Logger } from '../log';
import type { WebMetrics } from './web-metrics';
import { answerCallbackError } from './errors';
import { parseRawQuery } from './query';
import { readRawBody } from './raw-body';

/** GET (URL verification) and POST (encrypted callbacks) for one receiver. */
export function mountCallbackRoutes(router: Router, path: string, receiver: CallbackIntake, log: Logger, maxBodyBytes: number, metrics?: WebMetrics): void {
  router.get(path, (ctx) => {
    try {
      const plain = receiver.verifyUrl(parseRawQuery(ctx.querystring));
      ctx.status = 200;
      ctx.type = 'text/plain';
      ctx.body = plain; // exactly the plaintext: no quotes, BOM or newline
      log.info({ reason: 'callback.url_verified', route: path }, 'URL verification answered');
    } catch (err) {
      answerCallbackError(ctx, err, log, path);
    }
  });

  router.post(path, async (ctx) => {
    const started = performance.now();
    try {
      const body = await readRawBody(ctx, maxBodyBytes);
      const envelope = await receiver.receive(parseRawQuery(ctx.querystring), body);
      ctx.status = 200;
      ctx.body = ''; // empty 200: "received"; replies go out asynchronously through the send queue
      if (log.isLevelEnabled('debug')) {
        log.debug({ reason: 'callback.recorded', route: path, eventId: envelope.id, kind: envelope.event.kind }, 'callback recorded');
      }
      metrics?.callback(path, 200, 'RECORDED', started);
    } catch (err) {
      answerCallbackError(ctx, err, log, path);
      metrics?.callback(path, ctx.status, String(ctx.body), started);
    }
  });
}
