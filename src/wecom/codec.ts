import { CallbackError } from './errors';
import { sha256Hex } from './crypto';
import {
  EXTERNAL_CHAT_UPDATES,
  EXTERNAL_CONTACT_CHANGES,
  EXTERNAL_TAG_CHANGES,
  type ExternalChatUpdate,
  type ExternalContactChange,
  type ExternalTagChange,
  type WeComEvent,
} from './events';
import { checkWeComXmlShape, int, list, nodes, parseWeComXml, text, type XmlNode } from './xml';

function oneOf<T extends string>(values: readonly T[], v: string | undefined): T | undefined {
  return v !== undefined && (values as readonly string[]).includes(v) ? (v as T) : undefined;
}

/** Extracts the Encrypt field of an app callback body, `<xml><ToUserName/><Encrypt/><AgentID/></xml>` in any order. */
export function parseAppEnvelope(body: string): { encrypt: string; toUserName?: string; agentId?: string } {
  const root = parseWeComXml(body, 'ENVELOPE_MALFORMED');
  const encrypt = text(root, 'Encrypt');
  if (!encrypt) throw new CallbackError('ENVELOPE_MALFORMED', 'callback body has no <Encrypt>');
  return { encrypt, toUserName: text(root, 'ToUserName'), agentId: text(root, 'AgentID') };
}

/** Base64, as every Encrypt is. */
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/**
 * The Encrypt of a callback body found without parsing it — one pass of indexOf, whatever the body holds — so the
 * signature is checked before any parse: an unsigned body costs no more than reading it once. App: the text of the
 * one `<Encrypt>` element (CDATA or plain); robot: the "encrypt" string of the JSON. The body is parsed in full only
 * once the signature holds (parseAppEnvelope / parseBotEnvelope), and must give the same Encrypt.
 */
export function scanEncrypt(channel: 'app' | 'bot', body: string): string {
  let value: string | undefined;
  if (channel === 'app') {
    const open = body.indexOf('<Encrypt>');
    if (open !== -1 && body.indexOf('<Encrypt>', open + 9) === -1) {
      const close = body.indexOf('</Encrypt>', open + 9);
      let inner = close === -1 ? '' : body.slice(open + 9, close).trim();
      if (inner.startsWith('<![CDATA[') && inner.endsWith(']]>')) inner = inner.slice(9, -3);
      value = inner;
    }
  } else {
    const key = body.indexOf('"encrypt"');
    if (key !== -1) {
      let i = key + 9;
      while (body[i] === ' ' || body[i] === '\n' || body[i] === '\t' || body[i] === '\r') i++;
      if (body[i] === ':') {
        i++;
        while (body[i] === ' ' || body[i] === '\n' || body[i] === '\t' || body[i] === '\r') i++;
        const end = body[i] === '"' ? body.indexOf('"', i + 1) : -1;
        if (end !== -1) value = body.slice(i + 1, end);
      }
    }
  }
  if (!value || !BASE64.test(value))
    throw new CallbackError('ENVELOPE_MALFORMED', `callback body has no ${channel === 'app' ? '<Encrypt>' : '"encrypt"'} to verify`);
  return value;
}

/** Extracts `encrypt` from a robot callback body `{"encrypt":"…"}`. */
export function parseBotEnvelope(body: string): { encrypt: string } {
  let doc: unknown;
  try {
    doc = JSON.parse(body);
  } catch {
    throw new CallbackError('ENVELOPE_MALFORMED', 'robot callback body is not JSON');
  }
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) {
    throw new CallbackError('ENVELOPE_MALFORMED', 'robot callback body is not a JSON object');
  }
  const encrypt = (doc as Record<string, unknown>).encrypt;
  if (typeof encrypt !== 'string' || encrypt === '') {
    throw new CallbackError('ENVELOPE_MALFORMED', 'robot callback body has no "encrypt" string');
  }
  return { encrypt };
}

/** What else a member can send an app besides text (接收消息 - 消息格式): answered, so the rep is never met with silence. */
const APP_MEDIA_TYPES = new Set(['image', 'voice', 'video', 'shortvideo', 'file', 'location', 'link']);

/** Decodes a decrypted app callback (XML) into the typed union. Well-formed but unmodelled input becomes `unknown`. */
export function decodeAppPlaintext(plaintext: string): WeComEvent {
  const x = parseWeComXml(plaintext, 'PAYLOAD_MALFORMED');
  // Objects are built as literals, never as `{ ...base, … }`: V8 (Node 20) turns a spread followed by many
  // properties into a slow dictionary object, ten times the cost of the whole XML parse (bench:ingress).
  const corpId = text(x, 'ToUserName');
  const createTime = int(x, 'CreateTime') ?? 0;
  const msgType = text(x, 'MsgType') ?? '';
  const eventName = text(x, 'Event') ?? '';
  const unknown = (why?: string): WeComEvent => ({
    kind: 'unknown',
    corpId,
    createTime,
    channel: 'app',
    type: [msgType, eventName, text(x, 'ChangeType')].filter(Boolean).join('/') + (why ? ` (${why})` : ''),
  });

  if (msgType === 'text' || APP_MEDIA_TYPES.has(msgType)) {
    const msgId = text(x, 'MsgId');
    const fromUser = text(x, 'FromUserName');
    if (!msgId || !fromUser) return unknown('missing MsgId or FromUserName');
    const agentId = text(x, 'AgentID');
    return msgType === 'text'
      ? { kind: 'app_text', corpId, createTime, msgId, fromUser, agentId, content: text(x, 'Content') ?? '' }
      : { kind: 'app_media', corpId, createTime, msgId, fromUser, agentId, msgType };
  }
  if (msgType !== 'event') return unknown();

  switch (eventName) {
    case 'change_external_contact':
      return decodeExternalContact(x, corpId, createTime) ?? unknown('missing or unknown fields');
    case 'change_external_chat':
      return decodeExternalChat(x, corpId, createTime) ?? unknown('missing or unknown fields');
    case 'change_external_tag': {
      const changeType = oneOf<ExternalTagChange>(EXTERNAL_TAG_CHANGES, text(x, 'ChangeType'));
      const id = text(x, 'Id');
      if (!changeType || !id) return unknown('missing or unknown fields');
      return { kind: 'external_tag', corpId, createTime, changeType, id, tagType: text(x, 'TagType'), strategyId: text(x, 'StrategyId') };
    }
    case 'template_card_event': {
      const fromUser = text(x, 'FromUserName');
      const eventKey = text(x, 'EventKey');
      const taskId = text(x, 'TaskId');
      if (!fromUser || !eventKey || !taskId) return unknown('missing FromUserName, EventKey or TaskId');
      return {
        kind: 'template_card_event',
        corpId,
        createTime,
        fromUser,
        eventKey,
        taskId,
        cardType: text(x, 'CardType') ?? '',
        responseCode: text(x, 'ResponseCode'),
        agentId: text(x, 'AgentID'),
        selectedItems: decodeSelectedItems(x),
      };
    }
    case 'msgaudit_notify':
      return { kind: 'msgaudit_notify', corpId, createTime, agentId: text(x, 'AgentID') };
    default:
      return unknown();
  }
}

function decodeExternalContact(x: XmlNode, corpId: string | undefined, createTime: number): WeComEvent | undefined {
  const changeType = oneOf<ExternalContactChange>(EXTERNAL_CONTACT_CHANGES, text(x, 'ChangeType'));
  const userId = text(x, 'UserID');
  const externalUserId = text(x, 'ExternalUserID');
  if (!changeType || !userId || !externalUserId) return undefined;
  return {
    kind: 'external_contact',
    corpId,
    createTime,
    changeType,
    userId,
    externalUserId,
    state: text(x, 'State'),
    welcomeCode: text(x, 'WelcomeCode'),
    source: text(x, 'Source'),
    failReason: text(x, 'FailReason'),
  };
}

function decodeExternalChat(x: XmlNode, corpId: string | undefined, createTime: number): WeComEvent | undefined {
  const chatId = text(x, 'ChatId');
  const changeType = text(x, 'ChangeType');
  if (!chatId) return undefined;
  if (changeType === 'create' || changeType === 'dismiss') return { kind: 'external_chat', corpId, createTime, chatId, changeType };
  if (changeType !== 'update') return undefined;
  const updateDetail = oneOf<ExternalChatUpdate>(EXTERNAL_CHAT_UPDATES, text(x, 'UpdateDetail'));
  if (!updateDetail) return undefined;
  return {
    kind: 'external_chat',
    corpId,
    createTime,
    chatId,
    changeType,
    updateDetail,
    joinScene: updateDetail === 'add_member' ? int(x, 'JoinScene') : undefined,
    quitScene: updateDetail === 'del_member' ? int(x, 'QuitScene') : undefined,
    memChangeCnt: int(x, 'MemChangeCnt'),
    memChangeList: list(x, 'MemChangeList', 'Item'),
    lastMemVer: text(x, 'LastMemVer'),
    curMemVer: text(x, 'CurMemVer'),
  };
}

function decodeSelectedItems(x: XmlNode): { questionKey: string; optionIds: string[] }[] {
  return nodes(x, 'SelectedItems', 'SelectedItem').map((i) => ({
    questionKey: text(i, 'QuestionKey') ?? '',
    // WeCom's own docs spell it OpitonIds/OpitonId; accept the correct spelling too.
    optionIds: [...list(i, 'OpitonIds', 'OpitonId'), ...list(i, 'OptionIds', 'OptionId')],
  }));
}

type Json = Record<string, unknown>;
const str = (o: Json | undefined, k: string): string | undefined => {
  const v = o?.[k];
  return typeof v === 'string' && v !== '' ? v : typeof v === 'number' ? String(v) : undefined;
};
const obj = (o: Json | undefined, k: string): Json | undefined => {
  const v = o?.[k];
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : undefined;
};

/** Decodes a decrypted intelligent-robot callback (JSON). */
export function decodeBotPlaintext(plaintext: string): WeComEvent {
  let doc: unknown;
  try {
    doc = JSON.parse(plaintext);
  } catch {
    throw new CallbackError('PAYLOAD_MALFORMED', 'robot payload is not JSON');
  }
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) {
    throw new CallbackError('PAYLOAD_MALFORMED', 'robot payload is not a JSON object');
  }
  const j = doc as Json;
  const createTimeRaw = j.create_time;
  const createTime = typeof createTimeRaw === 'number' ? Math.floor(createTimeRaw) : Number(str(j, 'create_time') ?? 0) || 0;
  const msgId = str(j, 'msgid');
  const fromUser = str(obj(j, 'from'), 'userid');
  const msgType = str(j, 'msgtype') ?? '';
  const chatTypeRaw = str(j, 'chattype');
  const chatType = chatTypeRaw === 'group' || chatTypeRaw === 'single' ? chatTypeRaw : undefined;
  const unknown = (why?: string): WeComEvent => ({
    kind: 'unknown',
    createTime,
    channel: 'bot',
    type: [msgType, str(obj(j, 'event'), 'eventtype')].filter(Boolean).join('/') + (why ? ` (${why})` : ''),
  });
  if (!msgId || !fromUser) return unknown('missing msgid or from.userid');
  const aibotId = str(j, 'aibotid');
  const chatId = str(j, 'chatid');
  const responseUrl = str(j, 'response_url');
  const message = (type: string, body: string): WeComEvent => ({
    kind: 'bot_message',
    createTime,
    msgId,
    aibotId,
    chatId,
    chatType: chatType ?? 'single',
    fromUser,
    responseUrl,
    msgType: type,
    text: body,
  });

  if (msgType === 'event') {
    const ev = obj(j, 'event');
    const eventType = str(ev, 'eventtype');
    if (!eventType) return unknown('missing event.eventtype');
    const card = obj(ev, 'template_card_event');
    return {
      kind: 'bot_event',
      createTime,
      msgId,
      aibotId,
      chatId,
      chatType,
      fromUser,
      responseUrl,
      eventType,
      eventKey: str(card, 'event_key'),
      taskId: str(card, 'task_id'),
    };
  }
  if (msgType === 'text') return message(msgType, str(obj(j, 'text'), 'content') ?? '');
  if (msgType === 'mixed') {
    const items = obj(j, 'mixed')?.msg_item;
    const texts = Array.isArray(items)
      ? items.map((i) => (i && typeof i === 'object' ? str(obj(i as Json, 'text'), 'content') : undefined)).filter((t): t is string => !!t)
      : [];
    return message(msgType, texts.join('\n'));
  }
  // A voice message to the robot comes with WeCom's transcript (voice.content) when it has one: read it as typed text.
  if (msgType === 'voice') return message(msgType, str(obj(j, 'voice'), 'content') ?? '');
  return message(msgType, '');
}

/**
 * The idempotency key of a callback. Messages carry a unique msgid; events do not, and WeCom's advice
 * (FromUserName+CreateTime) collapses distinct customer events (`sys`, one-second resolution — docs/wecom-protocol.md §1.7).
 * So events are keyed by the hash of their whole decrypted plaintext: a retry carries the same plaintext, two
 * different events never do.
 */
export function eventIdFor(channel: 'app' | 'bot', event: WeComEvent, plaintext: string): string {
  if (event.kind === 'app_text') return `app-msg-${event.msgId}`;
  if (event.kind === 'bot_message' || event.kind === 'bot_event') return `bot-msg-${sha256Hex(event.msgId).slice(0, 40)}`;
  return plaintextId(channel, plaintext);
}

const plaintextId = (channel: 'app' | 'bot', plaintext: string) => `${channel}-sha-${sha256Hex(plaintext).slice(0, 40)}`;

/** One `<MsgType>` element whose text is plain or one CDATA section (sticky: matched where the first mention is). */
const MSG_TYPE = /<MsgType>\s*(?:<!\[CDATA\[([^\]]*)\]\]>\s*|([^<\s]+(?:\s+[^<\s]+)*)\s*)?<\/MsgType>/y;

/**
 * An app plaintext's MsgType, read without parsing, when the answer is certain: '' when "MsgType" appears nowhere,
 * the trimmed text when it appears exactly twice (one element's opening and closing tags) in the simple form above.
 * Undefined otherwise (a second mention, say inside a message's CDATA): then only a parse can tell.
 */
function soleMsgType(plaintext: string): string | undefined {
  const first = plaintext.indexOf('MsgType');
  if (first === -1) return '';
  const second = plaintext.indexOf('MsgType', first + 7);
  if (second === -1 || plaintext.indexOf('MsgType', second + 7) !== -1) return undefined;
  MSG_TYPE.lastIndex = first - 1;
  const m = MSG_TYPE.exec(plaintext);
  return m ? (m[1] ?? m[2] ?? '').trim() : undefined;
}

/**
 * The idempotency key of a decrypted callback: the key `eventIdFor` gives its decoded event, computed by the webhook
 * without decoding when the decode cannot change it. Every app callback but a text message is keyed by the hash of
 * its plaintext, so an app plaintext whose MsgType is certainly not `text` is only checked for shape (no DOCTYPE, one
 * `<xml>` document: PAYLOAD_MALFORMED otherwise) and hashed; the worker decodes it (src/jobs/inbox-pump.ts). Text
 * messages, anything uncertain and robot callbacks (JSON, keyed by msgid) are decoded here: PAYLOAD_MALFORMED when
 * they do not decode.
 */
export function callbackIdOf(channel: 'app' | 'bot', plaintext: string): string {
  if (channel === 'bot') return eventIdFor('bot', decodeBotPlaintext(plaintext), plaintext);
  checkWeComXmlShape(plaintext, 'PAYLOAD_MALFORMED');
  const type = soleMsgType(plaintext);
  if (type !== undefined && type !== 'text') return plaintextId('app', plaintext);
  return eventIdFor('app', decodeAppPlaintext(plaintext), plaintext);
}
