/**
 * The typed event union: every callback WeCom sends us, decoded from its transport (XML or JSON) into a plain,
 * transport-free object. `createTime` is WeCom's own time (seconds since the epoch), never the time we received it.
 * Ids that can exceed 2^53 (MsgId) stay strings.
 */

export const EXTERNAL_CONTACT_CHANGES = [
  'add_external_contact',
  'edit_external_contact',
  'add_half_external_contact',
  'del_external_contact',
  'del_follow_user',
  'transfer_fail',
  'msg_audit_approved',
] as const;
export type ExternalContactChange = (typeof EXTERNAL_CONTACT_CHANGES)[number];

export const EXTERNAL_CHAT_UPDATES = ['add_member', 'del_member', 'change_owner', 'change_name', 'change_notice'] as const;
export type ExternalChatUpdate = (typeof EXTERNAL_CHAT_UPDATES)[number];

export const EXTERNAL_TAG_CHANGES = ['create', 'update', 'delete', 'shuffle'] as const;
export type ExternalTagChange = (typeof EXTERNAL_TAG_CHANGES)[number];

interface Base {
  /** CorpID for app callbacks (ToUserName); undefined for robot callbacks. */
  corpId?: string;
  /** Seconds since the epoch, as WeCom stamped it. */
  createTime: number;
}

/** A member typed text to our app. */
export interface AppTextMessage extends Base {
  kind: 'app_text';
  msgId: string;
  fromUser: string;
  agentId?: string;
  content: string;
}

/** A member sent our app something other than text: a picture, a voice message, a video, a file, a location or a link. */
export interface AppMediaMessage extends Base {
  kind: 'app_media';
  msgId: string;
  fromUser: string;
  agentId?: string;
  /** WeCom's MsgType: image, voice, video, shortvideo, file, location or link. */
  msgType: string;
}

export interface ExternalContactEvent extends Base {
  kind: 'external_contact';
  changeType: ExternalContactChange;
  userId: string;
  externalUserId: string;
  state?: string;
  welcomeCode?: string;
  /** del_external_contact: DELETE_BY_TRANSFER when removed by 在职继承. */
  source?: string;
  /** transfer_fail: customer_refused | customer_limit_exceed */
  failReason?: string;
}

export type ExternalChatEvent = Base & {
  kind: 'external_chat';
  chatId: string;
} & (
    | { changeType: 'create' }
    | { changeType: 'dismiss' }
    | {
        changeType: 'update';
        updateDetail: ExternalChatUpdate;
        /** add_member only: 0 invited (directly or by link), 3 scanned the group QR. */
        joinScene?: number;
        /** del_member only: 0 left, 1 removed by owner/admin. */
        quitScene?: number;
        memChangeCnt?: number;
        memChangeList: string[];
        lastMemVer?: string;
        curMemVer?: string;
      }
  );

export interface ExternalTagEvent extends Base {
  kind: 'external_tag';
  changeType: ExternalTagChange;
  id: string;
  tagType?: string;
  strategyId?: string;
}

export interface TemplateCardEvent extends Base {
  kind: 'template_card_event';
  fromUser: string;
  eventKey: string;
  taskId: string;
  cardType: string;
  responseCode?: string;
  agentId?: string;
  selectedItems: { questionKey: string; optionIds: string[] }[];
}

export interface MsgAuditNotifyEvent extends Base {
  kind: 'msgaudit_notify';
  agentId?: string;
}

/** Intelligent robot: a member @-mentioned the robot in an internal group, or wrote to it 1:1. */
export interface BotMessage extends Base {
  kind: 'bot_message';
  msgId: string;
  aibotId?: string;
  chatId?: string;
  chatType: 'single' | 'group';
  fromUser: string;
  responseUrl?: string;
  msgType: string;
  /** Text of a text message, or the text items of a mixed message joined with newlines. */
  text: string;
}

export interface BotEvent extends Base {
  kind: 'bot_event';
  msgId: string;
  aibotId?: string;
  chatId?: string;
  chatType?: 'single' | 'group';
  fromUser: string;
  responseUrl?: string;
  eventType: string;
  eventKey?: string;
  taskId?: string;
}

/**
 * One message of the chat archive (会话内容存档), as the company's archive sidecar (or our puller) decrypted it: who sent
 * it to whom, in which group, when, and its text (capped when stored). `createTime` is its msgtime in seconds.
 */
export interface ArchiveRecord {
  msgid: string;
  action: string;
  from: string;
  tolist: string[];
  /** The group's chat id; '' in a 1:1 chat. */
  roomid: string;
  /** Milliseconds since the epoch. */
  msgtime: number;
  msgtype: string;
  /** What the customer or rep wrote: a text message's content, or a mixed message's text parts. */
  text?: string;
  /** A WeCom voice or video call (voiptext) or a recorded call (meeting_voice_call): how long it lasted, in seconds. */
  callSeconds?: number;
  /** A recall (action `recall`): the msgid of the message taken back. */
  recalls?: string;
  /** The customer's answer to archiving their chat (msgtype agree / disagree): who, and whether they agreed. */
  consent?: { userid: string; agreed: boolean };
}

export interface ArchiveMessageEvent extends Base {
  kind: 'archive_message';
  record: ArchiveRecord;
}

/** Where a stored callback came in: the self-built app, the intelligent robot, or the chat archive. */
export type Channel = 'app' | 'bot' | 'archive';

/** Anything well-formed that we do not model yet: stored, never dropped, so it can be replayed once we do. */
export interface UnknownEvent extends Base {
  kind: 'unknown';
  channel: Channel;
  /** MsgType/Event (app) or msgtype/eventtype (bot), for operators. */
  type: string;
}

export type WeComEvent =
  | AppTextMessage
  | AppMediaMessage
  | ExternalContactEvent
  | ExternalChatEvent
  | ExternalTagEvent
  | TemplateCardEvent
  | MsgAuditNotifyEvent
  | BotMessage
  | BotEvent
  | ArchiveMessageEvent
  | UnknownEvent;

export type WeComEventKind = WeComEvent['kind'];

/**
 * What the webhook stores: the callback as received — its idempotency key, channel, receive time and decrypted
 * plaintext. The raw truth is what an operator replays; the worker decodes it into the typed event.
 */
export interface ReceivedCallback {
  id: string;
  channel: Channel;
  receivedAt: number;
  plaintext: string;
}

/** A stored callback with its decoded event: what the inbox worker handles. */
export interface InboxEnvelope extends ReceivedCallback {
  event: WeComEvent;
}
