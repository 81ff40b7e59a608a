import type { WeComEvent } from '../../src/wecom/events';
import { VECTOR_A, waitFor } from '../helpers/config';
import { REP, startLedgerBot } from '../helpers/ledger-harness';

type Bot = Awaited<ReturnType<typeof startLedgerBot>>;
const T0 = Math.floor(Date.now() / 1000) - 3 * 86400; // three days ago, in WeCom seconds
const CUSTOMER = 'woWANG00000001';
const COLLEAGUES = ['wmLI0000000002', 'wmZHAO00000003'];
const CHAT = 'wrPROJECT000001';

function seed(b: Bot): void {
  b.sandbox
    .addUser({ userid: REP, name: '张三', direct_leader: ['lisi'] })
    .addUser({ userid: 'lisi', name: '李四' })
    .addContact({ external_userid: CUSTOMER, name: '王建国', type: 1, corp_name: '新疆某学校' }, [{ userid: REP, remark: '王总', state: '询价单' }])
    .setGroup({
      chat_id: CHAT,
      name: '王总项目群',
      owner: REP,
      create_time: T0 + 30,
      member_list: [
        { userid: REP, type: 1, join_time: T0, join_scene: 1 },
        { userid: CUSTOMER, type: 2, join_time: T0, join_scene: 1 },
        ...COLLEAGUES.map((c) => ({ userid: c, type: 2 as const, join_time: T0 + 60, join_scene: 3 })),
      ],
    });
}

const story = (): WeComEvent[] => [
  {
    kind: 'external_contact',
    corpId: VECTOR_A.corpId,
    createTime: T0,
    changeType: 'add_external_contact',
    userId: REP,
    externalUserId: CUSTOMER,
    state: '询价单',
    welcomeCode: 'W',
  },
  { kind: 'external_chat', corpId: VECTOR_A.corpId, createTime: T0 + 30, chatId: CHAT, changeType: 'create' },
  {
    kind: 'external_chat',
    corpId: VECTOR_A.corpId,
    createTime: T0 + 60,
    chatId: CHAT,
    changeType: 'update',
    updateDetail: 'add_member',
    joinScene: 3,
    memChangeCnt: 2,
    memChangeList: COLLEAGUES,
  },
];

let bot: Bot;
beforeAll(async () => {
  bot = await startLedgerBot('ledger');
  seed(bot);
});
afterAll(async () => bot.close());

async function settle(b: Bot, predicate: () => Promise<boolean>) {
  await waitFor(predicate, { timeoutMs: 10_000, intervalMs: 50 });
}

test('a customer is added → a lead with name, remark, company and source', async () => {
  await bot.send(story()[0] as WeComEvent);
  await settle(bot, async () => !!(await bot.lead(CUSTOMER)));
  const doc = await bot.lead(CUSTOMER);
  expect(doc?.lead).toMatchObject({
    id: CUSTOMER,
    externalUserId: CUSTOMER,
    name: '王建国',
    remark: '王总',
    company: '新疆某学校',
    owner: REP,
    source: 'inquiry',
    state: 'unknown',
    outcome: 'open',
  });
  expect(doc?.timeline.map((e) => e.kind)).toEqual(['added']);
  expect(doc?.timeline[0]?.at).toBe(new Date(T0 * 1000).toISOString()); // WeCom's CreateTime, not ours
});

test('a group is created with the customer and two more people from their side join → 3 stakeholders, group bound', async () => {
  for (const e of story().slice(1)) await bot.send(e);
  await settle(bot, async () => (await bot.lead(CUSTOMER))?.metrics.stakeholders === 3);
  const doc = await bot.lead(CUSTOMER);
  expect(doc?.lead.groups).toEqual([CHAT]);
  expect(doc?.lead.stakeholders).toEqual([CUSTOMER, ...COLLEAGUES].sort());
  await settle(bot, async () => ((await bot.lead(CUSTOMER))?.timeline.length ?? 0) === 3);
  expect((await bot.lead(CUSTOMER))?.timeline.map((e) => e.kind)).toEqual(['added', 'group_created', 'member_joined']);
});

const invites = (b: Bot) => b.sandbox.inbox(REP).filter((m) => m.body.msgtype === 'text' && m.body.text.content.includes('工作群「王总项目群」建好了'));

test('a new group with a lead in it → the rep gets the group’s QR join code to pass on, once', async () => {
  await waitFor(() => invites(bot).length === 1, { timeoutMs: 10_000 });
  const body = invites(bot)[0]?.body;
  const text = body?.msgtype === 'text' ? body.text.content : '';
  expect(text).toMatch(/已记到王总名下/);
  expect(text).toMatch(/入群二维码：https:\/\/sandbox\.local\/qr\/join\/[0-9a-f]+\.png/);
  expect(text).toMatch(/请他把那边参与决定的人/);
  // The join code is for this group, made through add_join_way + get_join_way, and kept.
  const [way] = [...bot.sandbox.joinWays.values()];
  expect(way).toMatchObject({ scene: 2, chat_id_list: [CHAT], auto_create_room: 0 });
  expect([...(way?.state ?? '')].length).toBeLessThanOrEqual(30);
  // WeCom sends the create again (a distinct delivery, not a retry the inbox dedupes): no second message, no new code.
  await bot.send({ kind: 'external_chat', corpId: VECTOR_A.corpId, createTime: T0 + 31, chatId: CHAT, changeType: 'create' });
  await new Promise((r) => setTimeout(r, 500));
  expect(invites(bot)).toHaveLength(1);
  // The rep asks for it by command later: the same code.
  const qr = /入群二维码：(\S+)/.exec(text)?.[1] as string;
  await bot.send({
    kind: 'app_text',
    corpId: VECTOR_A.corpId,
    createTime: T0 + 200,
    msgId: '7000000000000000009',
    fromUser: REP,
    content: '建群 王总',
    agentId: '218',
  });
  await waitFor(() => bot.sandbox.inbox(REP).some((m) => m.body.msgtype === 'text' && m.body.text.content.startsWith('「王总项目群」的入群二维码：' + qr)), {
    timeoutMs: 10_000,
  });
  expect(bot.sandbox.count('externalcontact/groupchat/add_join_way')).toBe(1);
});

test('the same callbacks replayed, shuffled and duplicated → identical lead state', async () => {
  const reference = await bot.lead(CUSTOMER);
  const other = await startLedgerBot('ledger-shuffled', { sandbox: bot.sandbox, url: bot.url });
  try {
    const events = story();
    const shuffled = [events[2], events[0], events[2], events[1], events[0], events[1], events[2]] as WeComEvent[];
    await Promise.all(shuffled.map((e) => other.send(e)));
    await settle(other, async () => ((await other.lead(CUSTOMER))?.timeline.length ?? 0) === 3 && (await other.lead(CUSTOMER))?.metrics.stakeholders === 3);
    await new Promise((r) => setTimeout(r, 300));
    const replayed = await other.lead(CUSTOMER);
    expect(replayed?.lead).toEqual(reference?.lead);
    expect(replayed?.timeline).toEqual(reference?.timeline);
    expect(replayed?.metrics).toEqual(reference?.metrics);
  } finally {
    await other.close(false);
  }
});

test('an archive batch sent twice → each message counted once', async () => {
  const t = Date.now() - 3600_000;
  const records = [
    { msgid: 'arch-1', action: 'send', from: CUSTOMER, tolist: [REP], roomid: '', msgtime: t, msgtype: 'text', text: { content: '方案收到了' } },
    { msgid: 'arch-2', action: 'send', from: REP, tolist: [CUSTOMER], roomid: '', msgtime: t + 60_000, msgtype: 'text', text: { content: '好的王总' } },
    {
      msgid: 'arch-3',
      action: 'send',
      from: COLLEAGUES[0],
      tolist: [],
      roomid: CHAT,
      msgtime: t + 120_000,
      msgtype: 'text',
      text: { content: '我们下周开会' },
    },
    { msgid: 'arch-4', action: 'recall', from: REP, tolist: [], roomid: CHAT, msgtime: t + 130_000, msgtype: 'revoke' },
    { msgid: 'arch-5', action: 'send', from: 'woSTRANGER000001', tolist: [REP], roomid: '', msgtime: t, msgtype: 'text', text: { content: '?' } },
  ];
  // Stored at once (202), applied by a worker: three messages on the leads, one about nobody we know, one recall.
  const first = await bot.archive(records);
  expect(first).toEqual({
    status: 202,
    body: { received: 5, queued: 4, duplicates: 0, skipped: 1 },
    applied: { accepted: 3, duplicates: 0, unmatched: 1 },
  });
  const second = await bot.archive(records);
  expect(second).toEqual({ status: 202, body: { received: 5, queued: 0, duplicates: 4, skipped: 1 }, applied: { accepted: 0, duplicates: 4, unmatched: 0 } });
  const doc = await bot.lead(CUSTOMER);
  const kinds = doc?.timeline.filter((e) => e.source === 'archive').map((e) => e.kind);
  expect(kinds).toEqual(['customer_message', 'rep_message', 'customer_message']);
  expect(doc?.metrics.quietDays).toBe(0);
  expect((await bot.archive(records, 'wrong-secret-0000000000')).status).toBe(401);
});

test('a rep logs a call by command → the timeline and metrics show it and the reply says so', async () => {
  await bot.send({
    kind: 'app_text',
    corpId: VECTOR_A.corpId,
    createTime: Math.floor(Date.now() / 1000),
    msgId: '7000000000000000001',
    fromUser: REP,
    content: '电话 王总 20分钟 方案下周三定',
    agentId: '218',
  });
  const reply = () => bot.sandbox.inbox(REP).find((m) => m.body.msgtype === 'text' && m.body.text.content.startsWith('已记录：与王总通话'));
  await settle(bot, async () => !!reply());
  const r = reply();
  const text = r?.body.msgtype === 'text' ? r.body.text.content : '';
  expect(text).toMatch(/已记录：与王总通话 20 分钟/);
  expect(text).toMatch(/决策时间：\d{1,2}月\d{1,2}日（周[一二三四五六日]）/);
  // 王总 is not positioned yet: the one next step is positioning (not generic "约个会" advice after every call).
  expect(text).toMatch(/下一步：先定位——下次通话直接问「您是出来比价的/);
  const doc = await bot.lead(CUSTOMER);
  expect(doc?.timeline.find((e) => e.kind === 'call')).toMatchObject({ minutes: 20, source: 'command', note: '方案下周三定' });
  expect(doc?.metrics).toMatchObject({ calls7d: 1 });
  expect(doc?.metrics.mindshareMinutes30d).toBeGreaterThanOrEqual(20);
  expect(doc?.lead.decisionDate).toMatch(/^\d{4}-\d{2}-\d{2}$/);
});

test('commands: position, ambiguous names get a numbered choice, unknown text gets help', async () => {
  bot.sandbox.addContact({ external_userid: 'woWANG00000009', name: '王强', type: 1, corp_name: '另一家公司' }, [
    { userid: REP, remark: '王总(二中)', state: '官网' },
  ]);
  await bot.send({
    kind: 'external_contact',
    corpId: VECTOR_A.corpId,
    createTime: T0 + 500,
    changeType: 'add_external_contact',
    userId: REP,
    externalUserId: 'woWANG00000009',
  });
  await settle(bot, async () => !!(await bot.lead('woWANG00000009')));
  const say = async (content: string, id: string) => {
    const before = bot.sandbox.inbox(REP).length;
    await bot.send({ kind: 'app_text', corpId: VECTOR_A.corpId, createTime: Math.floor(Date.now() / 1000), msgId: id, fromUser: REP, content, agentId: '218' });
    await settle(bot, async () => bot.sandbox.inbox(REP).length > before);
    const m = bot.sandbox.inbox(REP).at(-1);
    return m?.body.msgtype === 'text' ? m.body.text.content : '';
  };
  const choice = await say('定位 王 比价', '7000000000000000002');
  expect(choice).toMatch(/找到 2 位「王」[\s\S]*#1[\s\S]*#2/);
  const n = /#(\d) 王总\(二中\)/.exec(choice)?.[1];
  expect(await say(`定位 #${n} 比价`, '7000000000000000003')).toMatch(/已记录：王总\(二中\) —「出来比价」/);
  expect((await bot.lead('woWANG00000009'))?.lead.state).toBe('price_check');
  expect((await bot.lead('woWANG00000009'))?.lead.source).toBe('web');
  expect(await say('你好啊', '7000000000000000004')).toMatch(/没太看懂[\s\S]*今日/);
  expect(await say('定位 赵总 比价', '7000000000000000005')).toMatch(/没有找到客户「赵总」/);
  expect(await say('今日', '7000000000000000006')).toMatch(/#1 .*天没动静/);
});

test('the customer deletes the rep → lost contact, and the rep is told at once', async () => {
  const before = bot.sandbox.inbox(REP).length;
  await bot.send({
    kind: 'external_contact',
    corpId: VECTOR_A.corpId,
    createTime: Math.floor(Date.now() / 1000),
    changeType: 'del_follow_user',
    userId: REP,
    externalUserId: 'woWANG00000009',
  });
  await settle(bot, async () => bot.sandbox.inbox(REP).length > before);
  const m = bot.sandbox.inbox(REP).at(-1);
  expect(m?.body.msgtype === 'text' && m.body.text.content).toMatch(/删除了你的企业微信/);
  expect((await bot.lead('woWANG00000009'))?.lead.relationship).toBe('lost_contact');
});

test('admin API: 401 without the token, filters and pagination', async () => {
  expect((await fetch(`${bot.bot.baseUrl}/api/leads`)).status).toBe(401);
  expect((await fetch(`${bot.bot.baseUrl}/api/leads`, { headers: { authorization: 'Bearer wrong-token-000000000' } })).status).toBe(401);
  expect((await bot.leads()).total).toBe(2);
  expect((await bot.leads('?state=price_check')).items.map((i) => i.lead.id)).toEqual(['woWANG00000009']);
  expect((await bot.leads(`?owner=${REP}&limit=1`)).items).toHaveLength(1);
  expect((await bot.leads('?outcome=won')).total).toBe(0);
  const quiet = await bot.leads('?quietDays=2');
  expect(quiet.items.map((i) => [i.lead.id, i.metrics.quietDays])).toEqual([['woWANG00000009', 2]]); // added 2 days 23 h ago
  const bad = await fetch(`${bot.bot.baseUrl}/api/leads?state=nope`, { headers: { authorization: `Bearer ${bot.config.adminToken}` } });
  expect(bad.status).toBe(400);
  expect(await bot.lead('woNOBODY')).toBeUndefined();
});

test('nightly reconciliation repairs what lost callbacks left out', async () => {
  // A customer and a group whose callbacks never came.
  bot.sandbox.addContact({ external_userid: 'woLOST0000000001', name: '刘总', type: 1 }, [{ userid: REP, state: '门店' }]);
  bot.sandbox.setGroup({
    chat_id: 'wrLOSTGROUP00001',
    name: '刘总群',
    owner: REP,
    member_list: [
      { userid: 'woLOST0000000001', type: 2, join_time: T0, join_scene: 1 },
      { userid: 'wmLIU0000000002', type: 2, join_time: T0, join_scene: 3 },
    ],
  });
  const report = await bot.bot.worker?.reconcileNow();
  expect(report).toMatchObject({ leadsCreated: 1 });
  expect(report?.groupsFixed).toBeGreaterThanOrEqual(1);
  const doc = await bot.lead('woLOST0000000001');
  expect(doc?.lead).toMatchObject({ name: '刘总', source: 'store', groups: ['wrLOSTGROUP00001'] });
  expect(doc?.metrics.stakeholders).toBe(2);
  expect(bot.bot.lines.some((l) => l.reason === 'reconcile.lead_created')).toBe(true);
  // A second run has nothing to fix.
  expect(await bot.bot.worker?.reconcileNow()).toMatchObject({ leadsCreated: 0, groupsFixed: 0 });
});

test('WeCom refuses the join code → the group is still recorded, the rep still hears of it, the reason is logged', async () => {
  const customer = 'woREFUSE000001';
  const chat = 'wrREFUSED00001';
  bot.sandbox.addContact({ external_userid: customer, name: '孙立', type: 1, corp_name: '某制造厂' }, [{ userid: REP, remark: '孙工' }]);
  bot.sandbox.setGroup({
    chat_id: chat,
    name: '孙工项目群',
    owner: REP,
    create_time: T0 + 90,
    member_list: [
      { userid: REP, type: 1, join_time: T0, join_scene: 1 },
      { userid: customer, type: 2, join_time: T0, join_scene: 1 },
    ],
  });
  await bot.send({
    kind: 'external_contact',
    corpId: VECTOR_A.corpId,
    createTime: T0 + 80,
    changeType: 'add_external_contact',
    userId: REP,
    externalUserId: customer,
  });
  await settle(bot, async () => !!(await bot.lead(customer)));
  bot.sandbox.failNext('externalcontact/groupchat/add_join_way', 40058);
  await bot.send({ kind: 'external_chat', corpId: VECTOR_A.corpId, createTime: T0 + 90, chatId: chat, changeType: 'create' });
  await settle(bot, async () => !!(await bot.lead(customer))?.lead.groups.includes(chat));
  const told = () => bot.sandbox.inbox(REP).find((m) => m.body.msgtype === 'text' && m.body.text.content.includes('「孙工项目群」建好了'));
  await waitFor(() => !!told(), { timeoutMs: 10_000 });
  const msg = told();
  expect(msg?.body.msgtype === 'text' && msg.body.text.content).toMatch(/请孙工在群里把那边参与决定的人也拉进来/);
  expect(msg?.body.msgtype === 'text' && msg.body.text.content).not.toMatch(/二维码/);
  expect(bot.bot.lines.some((l) => l.reason === 'group.join_code_failed' && l.chatId === chat)).toBe(true);
});

describe('a manual lead that later adds the rep on WeCom', () => {
  let seq = 0;
  const say = async (content: string) => {
    seq++;
    await bot.send({
      kind: 'app_text',
      corpId: VECTOR_A.corpId,
      createTime: T0 + 300 + seq,
      msgId: `71000000000000000${String(seq).padStart(2, '0')}`,
      fromUser: REP,
      content,
      agentId: '218',
    });
  };
  const texts = () => bot.sandbox.inbox(REP).flatMap((m) => (m.body.msgtype === 'text' ? [m.body.text.content] : []));
  const added = (externalUserId: string, createTime: number) =>
    bot.send({ kind: 'external_contact', corpId: VECTOR_A.corpId, createTime, changeType: 'add_external_contact', userId: REP, externalUserId });

  test('one match by the rep’s remark → merged: calls, state and decision date on the WeCom lead, one lead to talk about', async () => {
    await say('线索 张总 电话单');
    await waitFor(() => texts().some((t) => t.startsWith('已新建线索：张总')));
    await say('定位 张总 比价');
    await say('电话 张总 10分钟 下周五定');
    await waitFor(() => texts().some((t) => t.startsWith('已记录：与张总通话 10 分钟')));
    const manualId = ((await bot.leads(`?owner=${REP}`)).items.find((i) => i.lead.name === '张总')?.lead.id ?? '') as string;
    expect(manualId).toMatch(/^m-/);

    bot.sandbox.addContact({ external_userid: 'woZHANG0000001', name: '张建国', type: 1, corp_name: '某制造厂' }, [{ userid: REP, remark: '张总' }]);
    await added('woZHANG0000001', T0 + 400);
    await waitFor(() => texts().some((t) => t.includes('你之前手工建的线索「张总」已合并进来')), { timeoutMs: 10_000 });

    const doc = await bot.lead('woZHANG0000001');
    expect(doc?.lead).toMatchObject({ state: 'price_check', source: 'phone', remark: '张总' });
    expect(doc?.lead.decisionDate).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(doc?.timeline.map((e) => e.kind)).toEqual(expect.arrayContaining(['added', 'state_changed', 'call', 'decision_date_set', 'merged']));
    expect(doc?.metrics.calls7d).toBe(1);
    expect((await bot.lead(manualId))?.lead.mergedInto).toBe('woZHANG0000001');
    expect((await bot.leads(`?owner=${REP}`)).items.map((i) => i.lead.id)).not.toContain(manualId);

    // "张总" now means one lead: the next call is logged without a "which one?" question.
    await say('电话 张总 5分钟');
    await waitFor(() => texts().some((t) => t.startsWith('已记录：与张总通话 5 分钟')));
    // WeCom sends the add again (reconciliation, a retry): nothing merges twice.
    await added('woZHANG0000001', T0 + 401);
    await new Promise((r) => setTimeout(r, 300));
    expect(texts().filter((t) => t.includes('已合并进来'))).toHaveLength(1);
    expect((await bot.lead('woZHANG0000001'))?.timeline.filter((e) => e.kind === 'call')).toHaveLength(2);
  });

  test('a stranger who takes a manual lead’s name as their WeCom nickname gets nothing: the rep is asked, nothing moves', async () => {
    await say('线索 赵总 电话单');
    await say('电话 赵总 15分钟 预算50万 下周五定');
    await waitFor(() => texts().some((t) => t.startsWith('已记录：与赵总通话 15 分钟')));
    const manualId = ((await bot.leads(`?owner=${REP}`)).items.find((i) => i.lead.name === '赵总')?.lead.id ?? '') as string;
    // No remark from the rep: the only match is the name the newcomer chose.
    bot.sandbox.addContact({ external_userid: 'woZHAOFAKE00001', name: '赵总', type: 1 }, [{ userid: REP }]);
    await added('woZHAOFAKE00001', T0 + 450);
    await waitFor(() => texts().some((t) => t.includes('名字是客户自己起的')), { timeoutMs: 10_000 });
    const fake = await bot.lead('woZHAOFAKE00001');
    expect(fake?.timeline.map((e) => e.kind)).toEqual(['added']);
    expect(fake?.lead.decisionDate ?? undefined).toBeUndefined();
    expect((await bot.lead(manualId))?.lead.mergedInto ?? undefined).toBeUndefined();
    expect((await bot.lead(manualId))?.timeline.some((e) => e.kind === 'call')).toBe(true);
  });

  test('two possible manual leads → the rep is asked which, and 合并 #n does it', async () => {
    await say('线索 李总 询价单');
    await say('线索 李总 网单');
    await waitFor(() => texts().filter((t) => t.startsWith('已新建线索：李总')).length === 2);
    bot.sandbox.addContact({ external_userid: 'woLI00000000001', name: '李明', type: 1 }, [{ userid: REP, remark: '李总' }]);
    await added('woLI00000000001', T0 + 500);
    await waitFor(() => texts().some((t) => t.includes('你有 2 条手工线索也可能是这位客户')), { timeoutMs: 10_000 });
    expect((await bot.lead('woLI00000000001'))?.timeline.some((e) => e.kind === 'merged')).toBe(false);

    await say('合并 #2 李明');
    await waitFor(() => texts().some((t) => t.startsWith('已合并：手工线索「李总」并入')));
    const doc = await bot.lead('woLI00000000001');
    expect(doc?.timeline.filter((e) => e.kind === 'merged')).toHaveLength(1);
    const left = (await bot.leads(`?owner=${REP}`)).items.filter((i) => i.lead.name === '李总' && i.lead.id.startsWith('m-'));
    expect(left).toHaveLength(1); // the other one stays a separate lead
  });
});

describe('a rep talking to the intelligent robot', () => {
  const ask = (content: string, msgId: string, responseUrl?: string) =>
    bot.send({ kind: 'bot_message', createTime: 0, msgId, chatType: 'single', fromUser: REP, responseUrl, msgType: 'text', text: content });

  test('the answer comes back in the robot conversation, through the response_url', async () => {
    await ask('今日', 'CAIQrobot0001', bot.sandbox.robotResponseUrl(REP));
    await waitFor(() => bot.sandbox.inbox(REP).some((m) => m.channel === 'robot'), { timeoutMs: 10_000 });
    const m = bot.sandbox.inbox(REP).find((x) => x.channel === 'robot');
    expect(m?.msgtype).toBe('markdown');
    const content = m?.body.msgtype === 'markdown' ? m.body.markdown.content : '';
    expect(content).toMatch(/今天该跟进的客户/);
    expect(content).not.toMatch(/^#/m); // "#1 王总" would render as a heading: written as ＃1
    expect(content).toMatch(/^＃1 /m);
  });

  test('a used or foreign response_url → the answer still arrives, as an app message, and the reason is logged', async () => {
    const used = bot.sandbox.robotResponseUrl(REP);
    await fetch(used, { method: 'POST', body: JSON.stringify({ msgtype: 'markdown', markdown: { content: 'someone else' } }) });
    const appMessages = () =>
      bot.sandbox.inbox(REP).filter((m) => m.channel !== 'robot' && m.body.msgtype === 'text' && /^(跟进助手可以这样用|没太看懂)/.test(m.body.text.content));
    const before = appMessages().length;
    await ask('帮助', 'CAIQrobot0002', used);
    await ask('你好', 'CAIQrobot0003', 'RESPONSEURL');
    await waitFor(() => appMessages().length === before + 2, { timeoutMs: 10_000 });
    const reasons = bot.bot.lines.filter((l) => l.reason === 'send.robot_reply_failed').map((l) => l.code);
    expect(reasons).toEqual(expect.arrayContaining(['WECOM_40058', 'WECOM_FOREIGN_RESPONSE_URL']));
  });
});

test('/metrics: merges, robot replies and their fallbacks are counted', async () => {
  const text = await (await fetch(`${bot.bot.baseUrl}/metrics`, { headers: { authorization: `Bearer ${bot.config.adminToken}` } })).text();
  const value = (labels: string) => Number(new RegExp(`wf_activity_total\\{${labels}\\} (\\d+)`).exec(text)?.[1] ?? -1);
  expect(value('event="leads_merged",kind=""')).toBe(2);
  expect(value('event="messages_sent",kind="robot"')).toBe(1);
  expect(value('event="robot_reply_fallbacks",kind=""')).toBe(2);
});
