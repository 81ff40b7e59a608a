import type { WeComEvent } from '../../src/wecom/events';

const cdata = (v: string) => `<![CDATA[${v.replace(/]]>/g, ']]]]><![CDATA[>')}]]>`;
const tag = (name: string, v: string | number | undefined, raw = false) =>
  v === undefined ? '' : `<${name}>${raw || typeof v === 'number' ? String(v) : cdata(v)}</${name}>`;

/**
 * Encodes a typed event as the XML WeCom would send to a self-built app (the shapes of docs/wecom-protocol.md §2, with
 * CDATA where WeCom uses it, numbers bare, `<Item>` lists). The inverse of decodeAppPlaintext.
 */
export function encodeAppEvent(e: WeComEvent, corpId = 'toUser'): string {
  const head = (from: string, msgType: string) =>
    tag('ToUserName', e.corpId ?? corpId) + tag('FromUserName', from) + tag('CreateTime', e.createTime) + tag('MsgType', msgType);
  let body: string;
  switch (e.kind) {
    case 'app_text':
      body = head(e.fromUser, 'text') + tag('Content', e.content) + tag('MsgId', e.msgId, true) + tag('AgentID', e.agentId, true);
      break;
    case 'app_media':
      // The fields every kind carries; a voice message also has its Format, a picture its PicUrl (消息格式).
      body =
        head(e.fromUser, e.msgType) +
        (e.msgType === 'image' ? tag('PicUrl', 'https://wework.qpic.cn/sandbox.png') : '') +
        (['image', 'voice', 'video', 'shortvideo', 'file'].includes(e.msgType) ? tag('MediaId', `media-${e.msgId}`) : '') +
        (e.msgType === 'voice' ? tag('Format', 'amr') : '') +
        tag('MsgId', e.msgId, true) +
        tag('AgentID', e.agentId, true);
      break;
    case 'external_contact':
      body =
        head('sys', 'event') +
        tag('Event', 'change_external_contact') +
        tag('ChangeType', e.changeType) +
        tag('UserID', e.userId) +
        tag('ExternalUserID', e.externalUserId) +
        tag('State', e.state) +
        tag('WelcomeCode', e.welcomeCode) +
        tag('Source', e.source) +
        tag('FailReason', e.failReason);
      break;
    case 'external_chat':
      body = head('sys', 'event') + tag('Event', 'change_external_chat') + tag('ChatId', e.chatId) + tag('ChangeType', e.changeType);
      if (e.changeType === 'update') {
        body +=
          tag('UpdateDetail', e.updateDetail) +
          tag('JoinScene', e.joinScene) +
          tag('QuitScene', e.quitScene) +
          tag('MemChangeCnt', e.memChangeCnt) +
          (e.memChangeList.length ? `<MemChangeList>${e.memChangeList.map((m) => tag('Item', m)).join('')}</MemChangeList>` : '') +
          tag('LastMemVer', e.lastMemVer) +
          tag('CurMemVer', e.curMemVer);
      }
      break;
    case 'external_tag':
      body =
        head('sys', 'event') +
        tag('Event', 'change_external_tag') +
        tag('Id', e.id) +
        tag('TagType', e.tagType) +
        tag('StrategyId', e.strategyId) +
        tag('ChangeType', e.changeType);
      break;
    case 'template_card_event':
      body =
        head(e.fromUser, 'event') +
        tag('Event', 'template_card_event') +
        tag('EventKey', e.eventKey) +
        tag('TaskId', e.taskId) +
        tag('CardType', e.cardType) +
        tag('ResponseCode', e.responseCode) +
        tag('AgentID', e.agentId, true) +
        (e.selectedItems.length
          ? `<SelectedItems>${e.selectedItems
              .map(
                (s) =>
                  `<SelectedItem>${tag('QuestionKey', s.questionKey)}<OpitonIds>${s.optionIds.map((o) => tag('OpitonId', o)).join('')}</OpitonIds></SelectedItem>`,
              )
              .join('')}</SelectedItems>`
          : '');
      break;
    case 'msgaudit_notify':
      body = head('sys', 'event') + tag('Event', 'msgaudit_notify') + tag('AgentID', e.agentId, true);
      break;
    case 'bot_message':
    case 'bot_event':
    case 'archive_message':
    case 'unknown':
      throw new Error(`${e.kind} is not an app XML event (use encodeBotEvent for robot callbacks)`);
  }
  return `<xml>${body}</xml>`;
}

/** Encodes a robot event as the JSON WeCom's intelligent robot sends (docs/wecom-protocol.md §3.3). */
export function encodeBotEvent(e: WeComEvent): string {
  if (e.kind === 'bot_message') {
    const content =
      e.msgType === 'mixed'
        ? { mixed: { msg_item: [{ msgtype: 'text', text: { content: e.text } }] } }
        : e.msgType === 'voice'
          ? { voice: e.text ? { content: e.text } : {} }
          : e.msgType === 'image' || e.msgType === 'file'
            ? { [e.msgType]: { url: `https://sandbox.invalid/${e.msgId}` } }
            : { text: { content: e.text } };
    return JSON.stringify({
      msgid: e.msgId,
      ...(e.createTime ? { create_time: e.createTime } : {}),
      aibotid: e.aibotId,
      chatid: e.chatId,
      chattype: e.chatType,
      from: { userid: e.fromUser },
      response_url: e.responseUrl,
      msgtype: e.msgType,
      ...content,
    });
  }
  if (e.kind === 'bot_event') {
    return JSON.stringify({
      msgid: e.msgId,
      create_time: e.createTime,
      aibotid: e.aibotId,
      chatid: e.chatId,
      chattype: e.chatType,
      from: { userid: e.fromUser },
      response_url: e.responseUrl,
      msgtype: 'event',
      event: { eventtype: e.eventType, ...(e.eventKey ? { template_card_event: { event_key: e.eventKey, task_id: e.taskId } } : {}) },
    });
  }
  throw new Error(`${e.kind} is not a robot event`);
}
