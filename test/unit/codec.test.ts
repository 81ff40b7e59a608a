import { readdirSync } from 'node:fs';
import path from 'node:path';
import { callbackIdOf, decodeAppPlaintext, decodeBotPlaintext, eventIdFor, parseAppEnvelope, parseBotEnvelope, scanEncrypt } from '../../src/wecom/codec';
import { CallbackError } from '../../src/wecom/errors';
import type { WeComEvent } from '../../src/wecom/events';
import { encodeAppEvent, encodeBotEvent } from '../../tools/sandbox/event-xml';
import { fixture } from '../helpers/fixtures';

const app = (name: string) => decodeAppPlaintext(fixture(`app/${name}.xml`));
const bot = (name: string) => decodeBotPlaintext(fixture(`bot/${name}.json`));

describe('app XML → typed events', () => {
  test('text message keeps MsgId (> 2^53) as an exact string', () => {
    expect(app('text')).toEqual({
      kind: 'app_text',
      corpId: 'wx5823bf96d3bd56c7',
      createTime: 1409659813,
      msgId: '4561255354251345929',
      fromUser: 'mycreate',
      agentId: '218',
      content: 'hello',
    });
  });

  test.each([
    ['add_external_contact', { userId: 'zhangsan', externalUserId: 'woAJ2GCAAAXtWyujaWJHDDGi0mAAAA', state: 'teststate', welcomeCode: 'WELCOMECODE' }],
    ['edit_external_contact', { userId: 'zhangsan', state: 'teststate' }],
    ['add_half_external_contact', { externalUserId: 'woAJ2GCAAAXtWyujaWJHDDGi0mACBBBB', welcomeCode: 'WELCOMECODE' }],
    ['del_external_contact', { source: 'DELETE_BY_TRANSFER' }],
    ['del_follow_user', { externalUserId: 'woAJ2GCAAAXtWyujaWJHDDGi0mACHAAA' }],
    ['transfer_fail', { failReason: 'customer_refused' }],
    ['msg_audit_approved', { welcomeCode: 'WELCOMECODE' }],
  ])('change_external_contact/%s', (changeType, fields) => {
    expect(app(changeType)).toMatchObject({ kind: 'external_contact', changeType, createTime: expect.any(Number), ...fields });
  });

  test('change_external_chat create / dismiss', () => {
    expect(app('chat_create')).toEqual({ kind: 'external_chat', corpId: 'toUser', createTime: 1403610513, chatId: 'CHAT_ID', changeType: 'create' });
    expect(app('chat_dismiss')).toMatchObject({ kind: 'external_chat', changeType: 'dismiss', chatId: 'CHAT_ID' });
  });

  test('add_member: doc sample with plain <Item>s; QuitScene ignored on add', () => {
    expect(app('chat_add_member_doc')).toMatchObject({
      changeType: 'update',
      updateDetail: 'add_member',
      joinScene: 1,
      quitScene: undefined,
      memChangeCnt: 10,
      memChangeList: ['Jack', 'Rose'],
      lastMemVer: '9c3f97c2ada667dfb5f6d03308d963e1',
      curMemVer: '71217227bbd112ecfe3a49c482195cb4',
    });
  });

  test('add_member: production shape with CDATA items, QuitScene absent', () => {
    expect(app('chat_add_member_prod')).toMatchObject({
      chatId: 'wrxUBwDQAAa44T11Ziaed811rhUr8-3Igmug',
      updateDetail: 'add_member',
      joinScene: 3,
      memChangeList: ['wmxUBwDQAAO-Hn5_wFJz4wvo5TxLFibw'],
      curMemVer: 'ea36e8b6062b803cda0ee45e9418d637',
    });
  });

  test('del_member with the legacy comma-separated MemChangeList and no JoinScene', () => {
    expect(app('chat_del_member_comma')).toMatchObject({ updateDetail: 'del_member', quitScene: 1, joinScene: undefined, memChangeList: ['wmA', 'wmB'] });
  });

  test.each(['change_owner', 'change_name', 'change_notice'])('update/%s', (detail) => {
    expect(app(`chat_${detail}`)).toMatchObject({ kind: 'external_chat', updateDetail: detail, memChangeList: [] });
  });

  test('change_external_tag', () => {
    expect(app('tag_create')).toMatchObject({ kind: 'external_tag', changeType: 'create', id: 'TAG_ID', tagType: 'tag' });
    expect(app('tag_shuffle')).toMatchObject({ kind: 'external_tag', changeType: 'shuffle', strategyId: 'STRATEGY_ID' });
  });

  test("template_card_event with the doc's misspelt OpitonIds", () => {
    expect(app('template_card_event')).toEqual({
      kind: 'template_card_event',
      corpId: 'toUser',
      createTime: 123456789,
      fromUser: 'FromUser',
      eventKey: 'key111',
      taskId: 'taskid111',
      cardType: 'text_notice',
      responseCode: 'ResponseCode',
      agentId: '1',
      selectedItems: [{ questionKey: 'QuestionKey1', optionIds: ['OpitonId1', 'OpitonId2'] }],
    });
  });

  test('msgaudit_notify', () => {
    expect(app('msgaudit_notify')).toMatchObject({ kind: 'msgaudit_notify', agentId: '218' });
  });

  test('an event we do not model becomes `unknown`, not an error', () => {
    expect(app('unknown_location')).toMatchObject({ kind: 'unknown', channel: 'app', type: 'event/LOCATION' });
    expect(decodeAppPlaintext('<xml><MsgType>event</MsgType><Event>change_external_contact</Event><ChangeType>brand_new</ChangeType></xml>')).toMatchObject({
      kind: 'unknown',
      type: 'event/change_external_contact/brand_new (missing or unknown fields)',
    });
    expect(decodeAppPlaintext('<xml><MsgType>image</MsgType><PicUrl>x</PicUrl></xml>')).toMatchObject({
      kind: 'unknown',
      type: 'image (missing MsgId or FromUserName)',
    });
  });

  test.each([
    ['voice', '<MediaId><![CDATA[media_id]]></MediaId><Format><![CDATA[amr]]></Format>'],
    ['image', '<PicUrl><![CDATA[this is a url]]></PicUrl><MediaId><![CDATA[media_id]]></MediaId>'],
    ['video', '<MediaId><![CDATA[media_id]]></MediaId><ThumbMediaId><![CDATA[thumb]]></ThumbMediaId>'],
    ['location', '<Location_X>23.134521</Location_X><Location_Y>113.358803</Location_Y><Scale>20</Scale><Label><![CDATA[位置信息]]></Label>'],
    [
      'link',
      '<Title><![CDATA[标题]]></Title><Description><![CDATA[描述]]></Description><Url><![CDATA[https://x]]></Url><PicUrl><![CDATA[https://y]]></PicUrl>',
    ],
  ])('a %s message from a member (消息格式 samples) is app_media, with its MsgId as a string', (msgType, fields) => {
    const xml = `<xml><ToUserName><![CDATA[toUser]]></ToUserName><FromUserName><![CDATA[zhangsan]]></FromUserName><CreateTime>1357290913</CreateTime><MsgType><![CDATA[${msgType}]]></MsgType>${fields}<MsgId>4561255354251345929</MsgId><AgentID>1</AgentID></xml>`;
    expect(decodeAppPlaintext(xml)).toEqual({
      kind: 'app_media',
      corpId: 'toUser',
      createTime: 1357290913,
      msgId: '4561255354251345929',
      fromUser: 'zhangsan',
      agentId: '1',
      msgType,
    });
  });

  test.each([
    ['not XML', 'hello world'],
    ['unclosed', '<xml><a></xml>'],
    ['no <xml> root', '<doc><a>1</a></doc>'],
    ['DOCTYPE', '<?xml version="1.0"?><!DOCTYPE xml [<!ENTITY a "aaaa">]><xml><Content>&a;</Content></xml>'],
    [
      'billion laughs',
      '<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;"><!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]><xml><a>&lol3;</a></xml>',
    ],
  ])('malformed plaintext is PAYLOAD_MALFORMED: %s', (_n, xml) => {
    expect(() => decodeAppPlaintext(xml)).toThrow(expect.objectContaining({ code: 'PAYLOAD_MALFORMED' }) as CallbackError);
  });
});

describe('envelopes', () => {
  test('app envelope: fields in any order, CDATA or not', () => {
    expect(
      parseAppEnvelope('<xml><ToUserName><![CDATA[wx1]]></ToUserName><Encrypt><![CDATA[abc+/=]]></Encrypt><AgentID><![CDATA[218]]></AgentID></xml>'),
    ).toEqual({
      encrypt: 'abc+/=',
      toUserName: 'wx1',
      agentId: '218',
    });
    expect(parseAppEnvelope('<xml><AgentID>1</AgentID><Encrypt>xyz</Encrypt></xml>').encrypt).toBe('xyz');
  });
  test.each([
    ['empty', ''],
    ['no Encrypt', '<xml><ToUserName>a</ToUserName></xml>'],
    ['JSON', '{"encrypt":"x"}'],
    ['entity', '<!DOCTYPE x [<!ENTITY e "x">]><xml><Encrypt>&e;</Encrypt></xml>'],
  ])('app envelope rejects %s', (_n, body) => {
    expect(() => parseAppEnvelope(body)).toThrow(expect.objectContaining({ code: 'ENVELOPE_MALFORMED' }) as CallbackError);
  });
  test.each([
    ['array', '["encrypt"]'],
    ['string', '"encrypt"'],
    ['null', 'null'],
    ['number', '42'],
    ['no encrypt', '{"Encrypt":"x"}'],
    ['non-string encrypt', '{"encrypt":5}'],
    ['truncated', '{"encrypt":"abc'],
  ])('robot envelope rejects JSON that is not {"encrypt": string}: %s', (_n, body) => {
    expect(() => parseBotEnvelope(body)).toThrow(expect.objectContaining({ code: 'ENVELOPE_MALFORMED' }) as CallbackError);
  });
});

describe('the Encrypt found before any parse (scanEncrypt), so the signature is checked first', () => {
  test.each([
    ['<xml><ToUserName><![CDATA[wx1]]></ToUserName><Encrypt><![CDATA[abc+/=]]></Encrypt></xml>', 'abc+/='],
    ['<xml><Encrypt>xyz</Encrypt></xml>', 'xyz'],
    ['<xml><Encrypt>\n  <![CDATA[QUJD]]>\n</Encrypt></xml>', 'QUJD'],
  ])('app %j → %s', (body, want) => expect(scanEncrypt('app', body)).toBe(want));
  test.each(['{"encrypt":"QUJD"}', '{ "encrypt" : "QUJD" }', '{"x":1,\n"encrypt":\t"QUJD"}'])('robot %j', (body) =>
    expect(scanEncrypt('bot', body)).toBe('QUJD'),
  );
  test.each([
    ['app', '<xml></xml>'],
    ['app', '<xml><Encrypt>a</Encrypt><Encrypt>b</Encrypt></xml>'],
    ['app', '<xml><Encrypt>not base64!</Encrypt></xml>'],
    ['app', '<xml><Encrypt>abc'],
    ['bot', '{"encrypt":1}'],
    ['bot', '[]'],
  ] as const)('%s %j → ENVELOPE_MALFORMED', (channel, body) =>
    expect(() => scanEncrypt(channel, body)).toThrow(expect.objectContaining({ code: 'ENVELOPE_MALFORMED' }) as CallbackError),
  );
  test('a body of 45,000 small elements is scanned in a fraction of its parse', () => {
    const body = `<xml>${'<a>1</a>'.repeat(45_000)}<Encrypt>QUJD</Encrypt></xml>`;
    scanEncrypt('app', body);
    let t = performance.now();
    for (let i = 0; i < 5; i++) scanEncrypt('app', body);
    const scan = (performance.now() - t) / 5;
    t = performance.now();
    for (let i = 0; i < 5; i++) parseAppEnvelope(body);
    const parse = (performance.now() - t) / 5;
    expect(scan * 10).toBeLessThan(parse);
  });
});

describe('robot JSON → typed events', () => {
  test('text', () => {
    expect(bot('text')).toEqual({
      kind: 'bot_message',
      createTime: 0,
      msgId: 'CAIQ16HMjQYY/NGagIOAgAMgq4KM0AI=',
      aibotId: 'AIBOTID',
      chatId: 'CHATID',
      chatType: 'group',
      fromUser: 'USERID',
      responseUrl: 'RESPONSEURL',
      msgType: 'text',
      text: '@RobotA hello robot',
    });
  });
  test('mixed keeps the text items', () => {
    expect(bot('mixed')).toMatchObject({ kind: 'bot_message', msgType: 'mixed', text: '@RobotA 电话 王总 20分钟', fromUser: 'zhangsan' });
  });
  test('voice carries WeCom’s transcript as its text; a picture has none', () => {
    const robot = (body: object) => decodeBotPlaintext(JSON.stringify({ msgid: 'CAIQv', from: { userid: 'zhangsan' }, chattype: 'single', ...body }));
    expect(robot({ msgtype: 'voice', voice: { content: '电话 王总 20分钟' } })).toMatchObject({
      kind: 'bot_message',
      msgType: 'voice',
      text: '电话 王总 20分钟',
    });
    expect(robot({ msgtype: 'voice', voice: {} })).toMatchObject({ kind: 'bot_message', msgType: 'voice', text: '' });
    expect(robot({ msgtype: 'image', image: { url: 'https://x' } })).toMatchObject({ kind: 'bot_message', msgType: 'image', text: '' });
  });
  test('event', () => {
    expect(bot('event_enter_chat')).toMatchObject({ kind: 'bot_event', eventType: 'enter_chat', createTime: 1700000000, fromUser: 'zhangsan' });
  });
  test('JSON that is not an object is PAYLOAD_MALFORMED; an object without ids is unknown', () => {
    expect(() => decodeBotPlaintext('[1,2]')).toThrow(expect.objectContaining({ code: 'PAYLOAD_MALFORMED' }) as CallbackError);
    expect(() => decodeBotPlaintext('nope')).toThrow(expect.objectContaining({ code: 'PAYLOAD_MALFORMED' }) as CallbackError);
    expect(decodeBotPlaintext('{"msgtype":"text"}')).toMatchObject({ kind: 'unknown', channel: 'bot' });
  });
});

describe('encoder ↔ decoder round trip (the sandbox speaks what the bot reads)', () => {
  const fixtures = [
    'text',
    'add_external_contact',
    'edit_external_contact',
    'add_half_external_contact',
    'del_external_contact',
    'del_follow_user',
    'transfer_fail',
    'msg_audit_approved',
    'chat_create',
    'chat_add_member_doc',
    'chat_add_member_prod',
    'chat_del_member_comma',
    'chat_change_owner',
    'chat_change_name',
    'chat_change_notice',
    'chat_dismiss',
    'tag_create',
    'tag_shuffle',
    'template_card_event',
    'msgaudit_notify',
  ];
  test.each(fixtures)('%s', (name) => {
    const e = app(name);
    expect(decodeAppPlaintext(encodeAppEvent(e))).toEqual(e);
  });
  test.each(['text', 'mixed', 'event_enter_chat'])('robot %s', (name) => {
    const e = bot(name);
    expect(decodeBotPlaintext(encodeBotEvent(e))).toEqual(e);
  });
  test('CDATA terminators inside content survive', () => {
    const e: WeComEvent = { kind: 'app_text', corpId: 'c', createTime: 1, msgId: '1', fromUser: 'u', content: 'a ]]> b', agentId: '1' };
    expect(decodeAppPlaintext(encodeAppEvent(e))).toEqual(e);
  });
});

describe('idempotency keys', () => {
  test('messages are keyed by msgid; events by their whole plaintext', () => {
    const t = fixture('app/text.xml');
    expect(eventIdFor('app', decodeAppPlaintext(t), t)).toBe('app-msg-4561255354251345929');
    const a = fixture('app/add_external_contact.xml');
    expect(eventIdFor('app', decodeAppPlaintext(a), a)).toMatch(/^app-sha-[0-9a-f]{40}$/);
  });
  test('two customers added to the same rep in the same second do not collide (FromUserName+CreateTime would)', () => {
    const one = fixture('app/add_external_contact.xml');
    const two = one.replace('woAJ2GCAAAXtWyujaWJHDDGi0mAAAA', 'woAJ2GCAAAXtWyujaWJHDDGi0mBBBB');
    expect(eventIdFor('app', decodeAppPlaintext(one), one)).not.toBe(eventIdFor('app', decodeAppPlaintext(two), two));
  });
  test('ids never contain ":" (BullMQ job ids)', () => {
    const b = fixture('bot/text.json');
    expect(eventIdFor('bot', decodeBotPlaintext(b), b)).toMatch(/^bot-msg-[0-9a-f]{40}$/);
  });
});

describe("the webhook's key without a decode (callbackIdOf)", () => {
  const decodedId = (channel: 'app' | 'bot', p: string) => eventIdFor(channel, channel === 'app' ? decodeAppPlaintext(p) : decodeBotPlaintext(p), p);
  const dir = (d: string) => readdirSync(path.join(__dirname, '..', 'fixtures', d)).map((f) => `${d}/${f}`);

  test.each([...dir('app'), ...dir('bot')])('%s: the same key as the decoded event', (name) => {
    const p = fixture(name);
    const channel = name.startsWith('app/') ? 'app' : 'bot';
    expect(callbackIdOf(channel, p)).toBe(decodedId(channel, p));
  });

  const text = fixture('app/text.xml');
  test.each([
    ['a message that quotes a MsgType in its content', text.replace('<![CDATA[hello]]>', '<![CDATA[<MsgType>event</MsgType>]]>')],
    ['a message whose content quotes another MsgId', text.replace('<![CDATA[hello]]>', '<![CDATA[<MsgType>text</MsgType><MsgId>1</MsgId>]]>')],
    ['MsgType with spaces around its CDATA', text.replace('<MsgType><![CDATA[text]]></MsgType>', '<MsgType> <![CDATA[ text ]]> </MsgType>')],
    ['MsgType as plain text', text.replace('<MsgType><![CDATA[text]]></MsgType>', '<MsgType>text</MsgType>')],
    ['MsgType split into text and CDATA', text.replace('<MsgType><![CDATA[text]]></MsgType>', '<MsgType>te<![CDATA[xt]]></MsgType>')],
    ['a space inside the MsgType tag', text.replace('<MsgType><![CDATA[text]]></MsgType>', '<MsgType ><![CDATA[text]]></MsgType >')],
    ['no MsgType at all', text.replace('<MsgType><![CDATA[text]]></MsgType>', '')],
    ['a nested MsgType', text.replace('<MsgType><![CDATA[text]]></MsgType>', '<Wrap><MsgType>text</MsgType></Wrap>')],
    ['an event that mentions MsgType in a field', fixture('app/add_external_contact.xml').replace('teststate', '&lt;MsgType&gt;text')],
  ])('%s: the same key as the decoded event', (_n, p) => {
    expect(callbackIdOf('app', p)).toBe(decodedId('app', p));
  });

  test('a text message is keyed by its own MsgId, never by one quoted in its content', () => {
    const quoted = text.replace('<![CDATA[hello]]>', '<![CDATA[<MsgId>1</MsgId>]]>');
    expect(callbackIdOf('app', quoted)).toBe('app-msg-4561255354251345929');
  });

  test('refused before any parse: a DOCTYPE, or no single <xml> document', () => {
    for (const p of ['hello world', '<!DOCTYPE xml><xml><MsgType>event</MsgType></xml>', '<doc><MsgType>event</MsgType></doc>']) {
      expect(() => callbackIdOf('app', p)).toThrow(expect.objectContaining({ code: 'PAYLOAD_MALFORMED' }) as CallbackError);
    }
  });

  test('a text message that does not parse is refused; an event is keyed by its plaintext and left to the worker', () => {
    expect(() => callbackIdOf('app', '<xml><MsgType>text</MsgType><MsgId>1</xml>')).toThrow(
      expect.objectContaining({ code: 'PAYLOAD_MALFORMED' }) as CallbackError,
    );
    const event = '<xml><MsgType>event</MsgType><Event>change_external_chat<ChatId>x</xml>';
    expect(() => decodeAppPlaintext(event)).toThrow(expect.objectContaining({ code: 'PAYLOAD_MALFORMED' }) as CallbackError);
    expect(callbackIdOf('app', event)).toMatch(/^app-sha-[0-9a-f]{40}$/);
  });

  test('robot callbacks are decoded: JSON that is not an object is refused', () => {
    expect(() => callbackIdOf('bot', '[1]')).toThrow(expect.objectContaining({ code: 'PAYLOAD_MALFORMED' }) as CallbackError);
  });
});
