import type { Logger } from '../log';
import { isExternalUserId } from '../wecom/recipients';
import { loggingHandlers, summarize, type EventHandlers, type HandlerContext } from './dispatch';
import type { Ledger } from './ledger';
import type { MessageOutbox } from './ports';
import type { RepCommands } from './rep-commands';
import type { CardPresses } from './card-presses';
import { COPY } from './copy';
import type { ArchiveRecord } from '../wecom/events';
import type { ArchiveResult, ArchiveWakeup } from './ports';

/** The inbox handlers once the ledger exists: each event kind updates leads, groups and timelines. */
/**
 * When a rep's message acted: when we received it, to the millisecond, while that is within a minute of WeCom's own
 * time (stamped in whole seconds); WeCom's time otherwise (a backlog, a skewed clock). To the millisecond, an action
 * that came just after a nudge's card is after it, and the card is updated (src/app/nudger.ts).
 */
const actedAt = (createTime: number, receivedAt: number) => (Math.abs(receivedAt - createTime * 1000) < 60_000 ? receivedAt : createTime * 1000);

export function ledgerHandlers(deps: {
  ledger: Ledger;
  commands: RepCommands;
  cards: CardPresses;
  outbox: MessageOutbox;
  /** Applies chat-archive messages to the leads (ingestArchive, with the customer-text reader). */
  archive: (records: readonly ArchiveRecord[]) => Promise<ArchiveResult>;
  /** Wakes the chat-archive puller, wherever it runs (absent: no puller is configured). */
  archiveWakeup?: ArchiveWakeup;
  log: Logger;
}): EventHandlers {
  const base = loggingHandlers();
  const reply = async (key: string, touser: string, content: string) => deps.outbox.enqueue({ key, touser, body: { msgtype: 'text', text: { content } } });
  /** Only members talk to the bot: anything from an external id is logged and left unanswered (never a customer). */
  const fromNonMember = (fromUser: string, ctx: HandlerContext, kind: string): boolean => {
    if (!isExternalUserId(fromUser)) return false;
    ctx.log.warn({ reason: 'event.from_non_member', kind }, 'event from an external contact: not answered (the bot never messages customers)');
    return true;
  };
  return {
    ...base,
    external_contact: async (e, ctx) => {
      await deps.ledger.contactEvent(e, ctx.envelopeId);
      ctx.log.info({ reason: 'ledger.contact', ...summarize(e) }, 'customer change applied');
    },
    external_chat: async (e, ctx) => {
      await deps.ledger.groupEvent(e, ctx.envelopeId);
      ctx.log.info({ reason: 'ledger.group', ...summarize(e) }, 'group change applied');
    },
    template_card_event: async (e, ctx) => {
      if (fromNonMember(e.fromUser, ctx, e.kind)) return;
      // Button keys are "<action>:<leadId>:<nudgeId>" (src/app/nudger.ts): do it, log it, update the card.
      const handled = await deps.cards.onCardClick(e, ctx.envelopeId);
      if (!handled) await deps.cards.answerStale(e, ctx.envelopeId);
      ctx.log.info({ reason: handled ? 'nudge.card_pressed' : 'nudge.card_unknown', ...summarize(e) }, 'card button');
    },
    msgaudit_notify: async (e, ctx) => {
      // New messages are in the archive (WeCom says so at most every 15 s): the puller pulls now.
      if (deps.archiveWakeup) await deps.archiveWakeup.wake();
      ctx.log.info({ reason: deps.archiveWakeup ? 'archive.woken' : 'archive.notify_without_puller', ...summarize(e) }, 'archive notice');
    },
    archive_message: async (e, ctx) => {
      // Read here, in a worker: the customer's words (capped when stored) become timeline entries and signals.
      const result = await deps.archive([e.record]);
      ctx.log.info({ reason: 'archive.applied', ...summarize(e), ...result }, 'archived message applied');
    },
    app_text: async (e, ctx) => {
      if (fromNonMember(e.fromUser, ctx, e.kind)) return;
      const text = await deps.commands.handle(e.fromUser, e.content, e.msgId, actedAt(e.createTime, ctx.receivedAt));
      await reply(`reply:${e.msgId}`, e.fromUser, text);
      ctx.log.info({ reason: 'command.answered', fromUser: e.fromUser }, 'rep command answered');
    },
    app_media: async (e, ctx) => {
      if (fromNonMember(e.fromUser, ctx, e.kind)) return;
      await reply(`reply:${e.msgId}`, e.fromUser, COPY.textOnly(e.msgType));
      ctx.log.info({ reason: 'command.answered', ...summarize(e) }, 'non-text message answered');
    },
    bot_message: async (e, ctx) => {
      if (fromNonMember(e.fromUser, ctx, e.kind)) return;
      const at = e.createTime > 0 ? actedAt(e.createTime, ctx.receivedAt) : ctx.receivedAt;
      // Text, mixed, and a voice message WeCom transcribed are read as typed; a picture, a file, an untranscribed voice
      // message get the short answer that only text is read.
      const readable = e.msgType === 'text' || e.msgType === 'mixed' || (e.msgType === 'voice' && e.text.trim() !== '');
      const text = readable ? await deps.commands.handle(e.fromUser, e.text, e.msgId, at) : COPY.textOnly(e.msgType);
      // Answered in the robot conversation while its response_url is valid (an hour; we keep 5 minutes' margin).
      const viaRobot = e.responseUrl ? { responseUrl: e.responseUrl, expiresAt: ctx.receivedAt + 55 * 60_000 } : undefined;
      await deps.outbox.enqueue({ key: `reply:${ctx.envelopeId}`, touser: e.fromUser, body: { msgtype: 'text', text: { content: text } }, viaRobot });
      ctx.log.info({ reason: 'command.answered', fromUser: e.fromUser, channel: 'bot' }, 'rep command answered');
    },
  };
}
