import type { Logger } from '../log';
import type { Channel, InboxEnvelope, WeComEvent, WeComEventKind } from '../wecom/events';
import type { EventConsumer } from './ports';

export interface HandlerContext {
  envelopeId: string;
  channel: Channel;
  /** When the webhook accepted the callback (ms); WeCom's own time is event.createTime. */
  receivedAt: number;
  /** Child logger carrying the event id and kind. */
  log: Logger;
  /** 1 on the first try, 2 on the first retry, … */
  attempt: number;
}

export type Handler<K extends WeComEventKind> = (event: Extract<WeComEvent, { kind: K }>, ctx: HandlerContext) => Promise<void>;
export type EventHandlers = { [K in WeComEventKind]: Handler<K> };

function assertNever(x: never): never {
  throw new Error(`unhandled event kind: ${JSON.stringify(x)}`);
}

/** The exhaustive switch: a new kind in the union does not compile until it has a handler. */
export async function dispatchEvent(handlers: EventHandlers, envelope: InboxEnvelope, ctx: HandlerContext): Promise<void> {
  const e = envelope.event;
  switch (e.kind) {
    case 'app_text':
      return handlers.app_text(e, ctx);
    case 'app_media':
      return handlers.app_media(e, ctx);
    case 'external_contact':
      return handlers.external_contact(e, ctx);
    case 'external_chat':
      return handlers.external_chat(e, ctx);
    case 'external_tag':
      return handlers.external_tag(e, ctx);
    case 'template_card_event':
      return handlers.template_card_event(e, ctx);
    case 'msgaudit_notify':
      return handlers.msgaudit_notify(e, ctx);
    case 'bot_message':
      return handlers.bot_message(e, ctx);
    case 'bot_event':
      return handlers.bot_event(e, ctx);
    case 'archive_message':
      return handlers.archive_message(e, ctx);
    case 'unknown':
      return handlers.unknown(e, ctx);
    default:
      return assertNever(e);
  }
}

/** A one-line, secret-free summary of an event for logs (no message content, no names). */
export function summarize(e: WeComEvent): Record<string, unknown> {
  switch (e.kind) {
    case 'app_text':
      return { fromUser: e.fromUser, msgId: e.msgId, length: e.content.length };
    case 'app_media':
      return { fromUser: e.fromUser, msgId: e.msgId, msgType: e.msgType };
    case 'external_contact':
      return { changeType: e.changeType, userId: e.userId, externalUserId: e.externalUserId, state: e.state };
    case 'external_chat':
      return e.changeType === 'update'
        ? { chatId: e.chatId, changeType: e.changeType, updateDetail: e.updateDetail, members: e.memChangeList.length }
        : { chatId: e.chatId, changeType: e.changeType };
    case 'external_tag':
      return { changeType: e.changeType, id: e.id, tagType: e.tagType };
    case 'template_card_event':
      return { fromUser: e.fromUser, eventKey: e.eventKey, taskId: e.taskId };
    case 'msgaudit_notify':
      return { agentId: e.agentId };
    case 'bot_message':
      return { fromUser: e.fromUser, chatType: e.chatType, msgType: e.msgType, length: e.text.length };
    case 'bot_event':
      return { fromUser: e.fromUser, eventType: e.eventType };
    case 'archive_message':
      return { msgid: e.record.msgid, msgtype: e.record.msgtype, group: e.record.roomid !== '' };
    case 'unknown':
      return { channel: e.channel, type: e.type };
    default:
      return assertNever(e);
  }
}

/** Handlers that only record that the event arrived. The ledger replaces them kind by kind. */
export function loggingHandlers(): EventHandlers {
  const logOnly = async (e: WeComEvent, ctx: HandlerContext) => {
    ctx.log.info({ reason: 'event.handled', ...summarize(e) }, 'event handled');
  };
  return {
    app_text: logOnly,
    app_media: logOnly,
    external_contact: logOnly,
    external_chat: logOnly,
    external_tag: logOnly,
    template_card_event: logOnly,
    msgaudit_notify: logOnly,
    bot_message: logOnly,
    bot_event: logOnly,
    archive_message: logOnly,
    unknown: async (e, ctx) => {
      ctx.log.warn({ reason: 'event.unknown_kind', ...summarize(e) }, 'stored an event kind we do not model');
    },
  };
}

/** The inbox's consumer: one stored callback, dispatched to its handler with a child logger carrying its id and kind. */
export class HandlerDispatch implements EventConsumer {
  constructor(private readonly handlers: EventHandlers) {}

  consume(envelope: InboxEnvelope, ctx: { attempt: number; log: Logger }): Promise<void> {
    const log = ctx.log.child({ eventId: envelope.id, kind: envelope.event.kind });
    return dispatchEvent(this.handlers, envelope, {
      envelopeId: envelope.id,
      channel: envelope.channel,
      receivedAt: envelope.receivedAt,
      log,
      attempt: ctx.attempt,
    });
  }
}
