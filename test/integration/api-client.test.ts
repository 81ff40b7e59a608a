import type { RedisClient } from '../../src/store/redis';
import { createWeComApi } from '../../src/main/wecom-api';
import type { WeComSandbox } from '../../tools/sandbox/wecom-sandbox';
import { createRedis } from '../../src/store/redis';
import { ForeignResponseUrlError, WeComApiError, WeComNetworkError } from '../../src/wecom/api-errors';
import type { WeComApiClient } from '../../src/wecom/api-client';
import { ManualClock } from '../../src/domain/clock';
import { captureLogger, cleanupRedis, REDIS_URL, testConfig, uniquePrefix } from '../helpers/config';
import { SANDBOX_APP, startChild, startSandbox } from '../helpers/sandbox';

const prefix = uniquePrefix('api');
let sandbox: WeComSandbox;
let url: string;
let redis: RedisClient;
let api: WeComApiClient;
const { log, lines } = captureLogger();

const configFor = (base: string) =>
  testConfig(prefix, {
    WECOM_API_BASE: base,
    WECOM_CORP_ID: SANDBOX_APP.corpId,
    WECOM_SECRET: SANDBOX_APP.secret,
    WECOM_AGENT_ID: String(SANDBOX_APP.agentId),
  });

beforeAll(async () => {
  ({ sandbox, url } = await startSandbox());
  sandbox
    .addUser({ userid: 'zhangsan', name: '张三', direct_leader: ['lisi'], mobile: '13800138000' })
    .addUser({ userid: 'lisi', name: '李四' })
    .addContact({ external_userid: 'woAB0001', name: '王总', type: 1, corp_name: '新疆某学校' }, [{ userid: 'zhangsan', remark: '王校长', state: '询价单' }])
    .setGroup({
      chat_id: 'wrGROUP0001',
      name: '王总项目群',
      owner: 'zhangsan',
      member_list: [
        { userid: 'zhangsan', type: 1, join_time: 1, join_scene: 1 },
        { userid: 'woAB0001', type: 2, join_time: 2, join_scene: 1, invitor: { userid: 'zhangsan' } },
      ],
    });
  redis = createRedis(REDIS_URL, 'general');
  api = createWeComApi(configFor(url), redis, { now: () => Date.now() }, log);
});
afterAll(async () => {
  redis.disconnect();
  await sandbox.close();
  await cleanupRedis(prefix);
});

describe('every endpoint against the sandbox', () => {
  test('message/send text, markdown and a button card; update_template_card with the response_code', async () => {
    expect(await api.sendMessage({ touser: 'zhangsan', agentid: api.agentId, msgtype: 'text', text: { content: '你好' } })).toMatchObject({
      errcode: 0,
      msgid: expect.any(String),
    });
    expect(await api.sendMessage({ touser: 'zhangsan', agentid: api.agentId, msgtype: 'markdown', markdown: { content: '**跟进**' } })).toMatchObject({
      errcode: 0,
    });
    const card = await api.sendMessage({
      touser: 'zhangsan',
      agentid: api.agentId,
      msgtype: 'template_card',
      template_card: {
        card_type: 'button_interaction',
        main_title: { title: '跟进提醒' },
        task_id: 'task-1',
        button_list: [{ text: '已打电话', key: 'called' }],
      },
    });
    expect(card.response_code).toMatch(/^rc_/);
    await api.updateTemplateCard({
      userids: ['zhangsan'],
      agentid: api.agentId,
      response_code: card.response_code as string,
      button: { replace_name: '已处理' },
    });
    expect(sandbox.inbox('zhangsan').map((m) => m.msgtype)).toEqual(['text', 'markdown', 'template_card']);
    expect(sandbox.inbox('zhangsan')[2]?.updates).toHaveLength(1);
    // response_code is single use
    await expect(
      api.updateTemplateCard({ agentid: api.agentId, response_code: card.response_code as string, button: { replace_name: 'x' } }),
    ).rejects.toMatchObject({ errcode: 40058 });
  });
  test('externalcontact/get and list', async () => {
    const c = await api.getExternalContact('woAB0001');
    expect(c.external_contact.name).toBe('王总');
    expect(c.follow_user[0]).toMatchObject({ userid: 'zhangsan', state: '询价单' });
    expect((await api.listExternalContacts('zhangsan')).external_userid).toEqual(['woAB0001']);
    await expect(api.getExternalContact('woUNKNOWN')).rejects.toMatchObject({ errcode: 84061, disposition: 'permanent' });
    await expect(api.getExternalContact('not-an-id')).rejects.toMatchObject({ errcode: 40096 });
  });
  test('groupchat/list with paging, groupchat/get', async () => {
    for (let i = 2; i <= 5; i++) sandbox.setGroup({ chat_id: `wrGROUP000${i}`, name: `g${i}`, owner: 'lisi', member_list: [] });
    const page1 = await api.listGroupChats({ limit: 3 });
    expect(page1.group_chat_list).toHaveLength(3);
    const page2 = await api.listGroupChats({ limit: 3, cursor: page1.next_cursor });
    expect(page2.group_chat_list).toHaveLength(2);
    expect(page2.next_cursor).toBeUndefined();
    expect((await api.listGroupChats({ limit: 10, owner_filter: { userid_list: ['zhangsan'] } })).group_chat_list).toEqual([
      { chat_id: 'wrGROUP0001', status: 0 },
    ]);
    const g = await api.getGroupChat('wrGROUP0001');
    expect(g.group_chat.member_list.filter((m) => m.type === 2)).toHaveLength(1);
    expect(g.group_chat.member_version).toMatch(/^[0-9a-f]{32}$/);
  });
  test('add_join_way returns only config_id; get_join_way returns the QR', async () => {
    const add = await api.addJoinWay({ scene: 2, chat_id_list: ['wrGROUP0001'], state: 'lead-woAB0001', remark: '王总项目群' });
    expect(Object.keys(add).sort()).toEqual(['config_id', 'errcode', 'errmsg']);
    const way = await api.getJoinWay(add.config_id);
    expect(way.join_way).toMatchObject({ config_id: add.config_id, qr_code: expect.stringMatching(/^https:/), state: 'lead-woAB0001' });
    await expect(api.addJoinWay({ scene: 2, chat_id_list: [] })).rejects.toMatchObject({ errcode: 40058 });
  });
  test('aibot/response: a robot reply through the callback’s response_url, once, only to WeCom’s endpoint', async () => {
    const responseUrl = sandbox.robotResponseUrl('zhangsan');
    await api.replyInRobotChat(responseUrl, { msgtype: 'markdown', markdown: { content: '已记录' } });
    expect(sandbox.inbox('zhangsan').at(-1)).toMatchObject({ channel: 'robot', msgtype: 'markdown', body: { markdown: { content: '已记录' } } });
    // The URL works once.
    await expect(api.replyInRobotChat(responseUrl, { msgtype: 'markdown', markdown: { content: 'again' } })).rejects.toMatchObject({
      errcode: 40058,
      api: 'aibot/response',
    });
    // A URL on another host (or another path) is never called.
    const before = sandbox.calls.length;
    for (const foreign of ['https://evil.example/cgi-bin/aibot/response?response_code=x', `${url}/cgi-bin/message/send?response_code=x`, 'RESPONSEURL']) {
      await expect(api.replyInRobotChat(foreign, { msgtype: 'markdown', markdown: { content: 'x' } })).rejects.toBeInstanceOf(ForeignResponseUrlError);
    }
    expect(sandbox.calls.length).toBe(before);
  });
  test('add_contact_way, meeting/create, user/get', async () => {
    expect(await api.addContactWay({ type: 1, scene: 2, user: ['zhangsan'], state: '询价单' })).toMatchObject({
      config_id: expect.any(String),
      qr_code: expect.any(String),
    });
    const m = await api.createMeeting({
      admin_userid: 'zhangsan',
      title: '王总方案沟通',
      meeting_start: Math.floor(Date.now() / 1000) + 3600,
      meeting_duration: 3600,
    });
    expect(m.meeting_link).toMatch(/^https:\/\/meeting/);
    await expect(api.createMeeting({ admin_userid: 'zhangsan', title: 'x', meeting_start: 1, meeting_duration: 3600 })).rejects.toMatchObject({
      errcode: 40058,
    });
    expect((await api.getUser('zhangsan')).direct_leader).toEqual(['lisi']);
    await expect(api.getUser('nobody')).rejects.toMatchObject({ errcode: 60111 });
  });
});

describe('errors', () => {
  test('message/send to an unknown user is 81013, typed, permanent, with a hint, not retried', async () => {
    const before = sandbox.count('message/send');
    const err = (await api.sendMessage({ touser: 'ghost', agentid: api.agentId, msgtype: 'text', text: { content: 'x' } }).catch((e) => e)) as WeComApiError;
    expect(err).toBeInstanceOf(WeComApiError);
    expect(err).toMatchObject({ errcode: 81013, api: 'message/send', disposition: 'permanent', code: 'WECOM_81013' });
    expect(err.hint).toMatch(/visible range/);
    expect(sandbox.count('message/send') - before).toBe(1);
  });
  test('60020 (untrusted IP) is not retried and says what the admin must fix', async () => {
    sandbox.failNext('user/get', 60020);
    const before = sandbox.count('user/get');
    await expect(api.getUser('zhangsan')).rejects.toMatchObject({ errcode: 60020, hint: expect.stringMatching(/企业可信IP/) });
    expect(sandbox.count('user/get') - before).toBe(1);
  });
  test('-1 (busy) is retried with backoff, at most 3 attempts', async () => {
    sandbox.failNext('user/get', -1, 2);
    const before = sandbox.count('user/get');
    expect((await api.getUser('zhangsan')).userid).toBe('zhangsan');
    expect(sandbox.count('user/get') - before).toBe(3);
    sandbox.failNext('user/get', -1, 5);
    await expect(api.getUser('zhangsan')).rejects.toMatchObject({ errcode: -1, disposition: 'transient' });
    sandbox.clearFaults();
  });
  test('45009 surfaces as rate_limited with the penalty window, without retrying', async () => {
    sandbox.failNext('message/send', 45009);
    const err = (await api.sendMessage({ touser: 'zhangsan', agentid: api.agentId, msgtype: 'text', text: { content: 'x' } }).catch((e) => e)) as WeComApiError;
    expect(err).toMatchObject({ errcode: 45009, disposition: 'rate_limited', retryAfterMs: 60_000 });
  });
  test('timeouts: every call has one, and a slow WeCom is a WeComNetworkError after the retries', async () => {
    const slow = createWeComApi(
      testConfig(prefix, {
        WECOM_API_BASE: url,
        WECOM_CORP_ID: SANDBOX_APP.corpId,
        WECOM_SECRET: SANDBOX_APP.secret,
        WECOM_AGENT_ID: String(SANDBOX_APP.agentId),
      }),
      redis,
      { now: () => Date.now() },
      log,
    );
    // a client with a short timeout
    (slow as unknown as { opts: { timeoutMs: number; backoffMs: number } }).opts.timeoutMs = 150;
    (slow as unknown as { opts: { timeoutMs: number; backoffMs: number } }).opts.backoffMs = 10;
    sandbox.failNext('user/get', 0, 3, 400);
    const started = Date.now();
    const err = await slow.getUser('zhangsan').catch((e) => e);
    expect(err).toBeInstanceOf(WeComNetworkError);
    expect(String(err.message)).toMatch(/timed out/);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(lines.filter((l) => l.reason === 'wecom.network_retry').length).toBeGreaterThanOrEqual(2);
  });
  test('a wrong secret is 40001 from gettoken, permanent', async () => {
    const bad = createWeComApi(
      testConfig(`${prefix}-badsecret`, {
        WECOM_API_BASE: url,
        WECOM_CORP_ID: SANDBOX_APP.corpId,
        WECOM_SECRET: 'wrong',
        WECOM_AGENT_ID: String(SANDBOX_APP.agentId),
      }),
      redis,
      { now: () => Date.now() },
      log,
    );
    await expect(bad.getUser('zhangsan')).rejects.toMatchObject({ errcode: 40001, api: 'gettoken' });
  });
  test('the sandbox refuses message/send without a valid token, as WeCom does', async () => {
    const post = (qs: string) =>
      fetch(`${url}/cgi-bin/message/send${qs}`, {
        method: 'POST',
        body: JSON.stringify({ touser: 'zhangsan', agentid: SANDBOX_APP.agentId, msgtype: 'text', text: { content: 'x' } }),
      }).then((r) => r.json());
    expect(await post('')).toMatchObject({ errcode: 41001 });
    expect(await post('?access_token=forged')).toMatchObject({
      errcode: 40014,
      errmsg: expect.stringMatching(/more info at https:\/\/open\.work\.weixin\.qq\.com\/devtool\/query\?e=40014/),
    });
  });
  test('no log line carries the access_token', () => {
    const text = JSON.stringify(lines);
    expect(text).not.toMatch(/sbx_[0-9a-f]{10}/);
  });
});

describe('access_token shared across processes', () => {
  test('42001 mid-run: 20 concurrent calls across two processes refresh exactly once', async () => {
    await api.getUser('zhangsan'); // token cached in Redis
    const child = await startChild('api', {
      PREFIX: prefix,
      SANDBOX_URL: url,
      CORP_ID: SANDBOX_APP.corpId,
      SECRET: SANDBOX_APP.secret,
      AGENT_ID: String(SANDBOX_APP.agentId),
    });
    try {
      await child.request<{ ok: number }>({ cmd: 'getUsers', n: 1 }); // the child uses the shared token
      const tokensBefore = sandbox.count('gettoken');
      sandbox.expireTokens();
      const [mine, theirs] = await Promise.all([
        Promise.allSettled(Array.from({ length: 10 }, () => api.getUser('zhangsan'))),
        child.request<{ ok: number; errors: string[] }>({ cmd: 'getUsers', n: 10 }),
      ]);
      expect(mine.filter((r) => r.status === 'fulfilled')).toHaveLength(10);
      expect(theirs).toEqual({ ok: 10, errors: [] });
      expect(sandbox.count('gettoken') - tokensBefore).toBe(1);
      expect(sandbox.calls.filter((c) => c.api === 'user/get' && c.errcode === 42001).length).toBeGreaterThanOrEqual(1);
    } finally {
      await child.stop();
    }
  });

  test('a token close to expiry is refreshed ahead of time by one caller, others keep using it', async () => {
    const clock = new ManualClock(Date.now());
    const p2 = `${prefix}-ahead`;
    const c = createWeComApi(
      testConfig(p2, { WECOM_API_BASE: url, WECOM_CORP_ID: SANDBOX_APP.corpId, WECOM_SECRET: SANDBOX_APP.secret, WECOM_AGENT_ID: String(SANDBOX_APP.agentId) }),
      redis,
      clock,
      log,
    );
    await c.getUser('zhangsan');
    const before = sandbox.count('gettoken');
    clock.advance(7200_000 - 120_000); // two minutes left: inside the refresh-ahead window
    await Promise.all(Array.from({ length: 10 }, () => c.getUser('zhangsan')));
    expect(sandbox.count('gettoken') - before).toBe(1);
    await cleanupRedis(p2);
  });
});

describe('the sandbox holds WeCom’s limits', () => {
  test('WeCom’s content limits: a text over 2,048 bytes arrives cut, a markdown over them is refused (45002)', async () => {
    const before = sandbox.inbox('zhangsan').length;
    await api.sendMessage({ touser: 'zhangsan', agentid: api.agentId, msgtype: 'text', text: { content: '长'.repeat(1000) } });
    const got = sandbox.inbox('zhangsan')[before];
    expect(got?.body.msgtype === 'text' && got.body.text.content).toBe('长'.repeat(682));
    await expect(
      api.sendMessage({ touser: 'zhangsan', agentid: api.agentId, msgtype: 'markdown', markdown: { content: '长'.repeat(683) } }),
    ).rejects.toMatchObject({ errcode: 45002 });
    expect(sandbox.inbox('zhangsan')).toHaveLength(before + 1);
  });
});
