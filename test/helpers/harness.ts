import type { EventHandlers, HandlerContext } from '../../src/app/dispatch';
import type { Config } from '../../src/config/env';
import type { Clock } from '../../src/domain/clock';
import type { WeComEvent, WeComEventKind } from '../../src/wecom/events';
import { startWeb, type WebHandle } from '../../src/main/web';
import { startWorker, type WorkerHandle } from '../../src/main/worker';
import { CallbackDriver } from '../../tools/sandbox/callback-driver';
import { BOT_SECRETS, captureLogger, VECTOR_A } from './config';

export interface Seen {
  event: WeComEvent;
  ctx: HandlerContext;
}

/** Handlers that record every call, optionally failing on demand. */
export function recordingHandlers(fail?: (e: WeComEvent, ctx: HandlerContext) => boolean): { handlers: EventHandlers; seen: Seen[] } {
  const seen: Seen[] = [];
  const rec = async (event: WeComEvent, ctx: HandlerContext) => {
    if (fail?.(event, ctx)) throw new Error(`induced failure on attempt ${ctx.attempt}`);
    seen.push({ event, ctx });
  };
  const kinds: WeComEventKind[] = [
    'app_text',
    'app_media',
    'external_contact',
    'external_chat',
    'external_tag',
    'template_card_event',
    'msgaudit_notify',
    'bot_message',
    'bot_event',
    'unknown',
  ];
  return { handlers: Object.fromEntries(kinds.map((k) => [k, rec])) as unknown as EventHandlers, seen };
}

export interface Running {
  web: WebHandle;
  worker?: WorkerHandle;
  driver: CallbackDriver;
  baseUrl: string;
  lines: Record<string, unknown>[];
  close(): Promise<void>;
}

export async function startBot(config: Config, handlers?: EventHandlers, opts: { worker?: boolean; clock?: Clock } = {}): Promise<Running> {
  const { log, lines } = captureLogger('debug');
  const web = await startWeb(config, log, { port: 0, clock: opts.clock });
  // Tests drive sweeps and reconciliation themselves: no schedulers firing behind their backs.
  const worker = opts.worker === false ? undefined : await startWorker(config, log, { handlers, clock: opts.clock, schedulers: false });
  const baseUrl = `http://127.0.0.1:${web.port}`;
  // WeCom signs with the time it shares with us: the driver stamps callbacks with the bot's clock (freshness window).
  const driver = new CallbackDriver(baseUrl, { ...VECTOR_A }, BOT_SECRETS, opts.clock ? () => (opts.clock as Clock).now() : undefined);
  return {
    web,
    worker,
    driver,
    baseUrl,
    lines,
    async close() {
      await worker?.close();
      await web.close();
    },
  };
}
