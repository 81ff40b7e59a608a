/**
 * npm run demo — the method's story, end to end, on a fast clock, in under a minute.
 *
 * Starts the WeCom sandbox and the bot (web + worker, in this process, against the Redis of the quick start, under a
 * private key prefix it deletes at the end), then plays: a customer arrives from an inquiry form → positioning prompt
 * → the rep answers 比价 → three quiet days → quiet nudge → the rep calls on WeCom and the customer asks for a proposal in the chat (both read from the chat archive through the
 * stub SDK, nothing typed) →
 * meeting prompt → the rep taps 约会议 and gets a link → a group is created and the rep gets its QR join code → two
 * more people from the customer's side join → Monday's digest. It prints what the rep sees in WeCom, turn by turn,
 * and exits 0 when every turn happened (1 otherwise).
 */
import { spawnSync } from 'node:child_process';
import { DateTime } from 'luxon';
import Redis from 'ioredis';
import { readEnvOptions } from '../src/config/env';
import { ManualClock } from '../src/domain/clock';
import { createLogger } from '../src/log';
import { startWeb } from '../src/main/web';
import { startWorker } from '../src/main/worker';
import { CallbackDriver } from './sandbox/callback-driver';
import { renderMessage, WeComSandbox, type InboxMessage } from './sandbox/wecom-sandbox';
import { deleteByPrefix } from '../src/store/redis';
import { isExternalUserId } from '../src/wecom/recipients';
import { PrivateRedis } from './private-redis';
import { archiveMessages, pointStubAt, SandboxArchive, stubSdkPath } from './sandbox/archive';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { WeComEvent } from '../src/wecom/events';

let REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const PREFIX = `demo-${process.pid}`;
const CORP = 'wwdemo000000001';
const TOKEN = 'DemoToken';
const AES = 'jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C';
const REP = 'zhangsan';
const CUSTOMER = 'woWANGJIANGUO01';
const COLLEAGUES = ['wmLIZHUREN0002', 'wmZHAOKEZHANG3'];
const CHAT = 'wrXINJIANGXUEXIAO1';
const TZ = 'Asia/Shanghai';

// Next Monday 10:00 in Shanghai (in the future: the sandbox refuses meetings in the past).
const monday = DateTime.now().setZone(TZ).plus({ weeks: 1 }).set({ weekday: 1, hour: 10, minute: 0, second: 0, millisecond: 0 });
const clock = new ManualClock(monday.toMillis());
const stamp = () => DateTime.fromMillis(clock.now(), { zone: TZ }).setLocale('zh-CN').toFormat('M月d日 EEE HH:mm');

const say = (s: string) => console.log(`\n\x1b[2m── ${stamp()} · ${s}\x1b[0m`);
const shown: InboxMessage[] = [];

async function main(): Promise<number> {
  const sandbox = new WeComSandbox({ corpId: CORP, secret: 'demo-secret', agentId: 1000002, clock: () => clock.now() });
  sandbox.addUser({ userid: REP, name: '张三', direct_leader: ['lisi'] }).addUser({ userid: 'lisi', name: '李四' });
  sandbox.addContact({ external_userid: CUSTOMER, name: '王建国', type: 1, corp_name: '新疆某学校' }, [{ userid: REP, remark: '王总', state: '询价单' }]);
  sandbox.onMessage((m) => {
    if (m.touser !== REP) return;
    shown.push(m);
    console.log(`\x1b[36m  张三的企业微信 ▸ ${m.msgtype === 'template_card' ? '卡片' : '消息'}\x1b[0m`);
    console.log(renderMessage(m).replace(/^/gm, '    '));
  });
  const apiBase = await sandbox.listen();
  const config = readEnvOptions({
    PORT: '0',
    REDIS_URL,
    REDIS_PREFIX: PREFIX,
    WECOM_CORP_ID: CORP,
    WECOM_AGENT_ID: '1000002',
    WECOM_SECRET: 'demo-secret',
    WECOM_TOKEN: TOKEN,
    WECOM_AES_KEY: AES,
    WECOM_API_BASE: apiBase,
    ADMIN_TOKEN: 'demo-admin-token-0000000',
    LOG_LEVEL: 'silent',
  });
  const log = createLogger('silent');
  // The chat archive the stub SDK serves (tools/finance-sdk-stub), with a key of the company's.
  const archiveDir = mkdtempSync(path.join(tmpdir(), 'wf-demo-archive-'));
  const archive = new SandboxArchive(archiveDir);
  pointStubAt(archiveDir);
  Object.assign(config, {
    archivePuller: { sdkPath: stubSdkPath(), secret: 'demo-archive-secret', keys: archive.keysDir },
  });
  const web = await startWeb(config, log, { port: 0, clock });
  const worker = await startWorker(config, log, { clock, schedulers: false });
  const driver = new CallbackDriver(`http://127.0.0.1:${web.port}`, { corpId: CORP, token: TOKEN, aesKey: AES }, undefined, () => clock.now());
  const failures: string[] = [];

  const send = async (e: WeComEvent) => {
    const res = await driver.send(e);
    if (res.status !== 200) failures.push(`callback ${e.kind} answered ${res.status}`);
  };
  const now = () => Math.floor(clock.now() / 1000);
  let msgSeq = 9_100_000_000_000_000_000n;
  const repTypes = async (content: string) => {
    console.log(`\x1b[33m  张三 ▸ ${content}\x1b[0m`);
    await send({ kind: 'app_text', corpId: CORP, createTime: now(), msgId: String(++msgSeq), fromUser: REP, content, agentId: '1000002' });
  };
  /** Waits until the rep has received `n` more messages (or fails the turn). */
  const expectMessages = async (n: number, turn: string, match?: RegExp) => {
    const target = shown.length + n;
    const deadline = Date.now() + 8000;
    while (shown.length < target && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    const got = shown.slice(target - n);
    if (shown.length < target || (match && !got.some((m) => match.test(renderMessage(m))))) failures.push(turn);
    return got;
  };
  const waitLead = async (pred: (l: Awaited<ReturnType<typeof worker.store.getLead>>) => boolean) => {
    const deadline = Date.now() + 8000;
    while (Date.now() < deadline) {
      if (pred(await worker.store.getLead(CUSTOMER))) return;
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  const sweep = () => worker.nudger.sweep(100);

  try {
    console.log('wecom-followup demo: 一个「问两句就走」的客户，按方法跟进的一周。');

    say('客户通过询价单加了张三的企业微信');
    await send({
      kind: 'external_contact',
      corpId: CORP,
      createTime: now(),
      changeType: 'add_external_contact',
      userId: REP,
      externalUserId: CUSTOMER,
      state: '询价单',
    });
    await waitLead((l) => !!l);

    clock.advance(2 * 3_600_000);
    say('两小时后，客户还没定位');
    await sweep();
    await expectMessages(1, 'positioning prompt', /您是出来比价的/);

    await repTypes('定位 王总 比价');
    await expectMessages(1, 'positioned reply', /出来比价/);

    clock.set(monday.plus({ days: 3, hours: 2 }).toMillis());
    say('三天过去，客户一点动静都没有');
    await sweep();
    await expectMessages(1, 'quiet nudge', /3 天没动静/);

    clock.advance(30 * 60_000);
    say('张三用企业微信给王总打了 15 分钟语音；挂了电话，王总在聊天里写：「方案发我看看吧」');
    // Neither is typed to the bot: the archive puller reads both from WeCom's chat archive (会话内容存档).
    archive.append([
      archiveMessages.call({ user: REP, external: CUSTOMER, minutes: 15, at: clock.now() - 20 * 60_000 }),
      archiveMessages.text({ from: CUSTOMER, to: [REP], text: '方案发我看看吧', at: clock.now() - 2 * 60_000 }),
    ]);
    await send({ kind: 'msgaudit_notify', corpId: CORP, createTime: now(), agentId: '1000002' });
    const archived = async () => (await worker.store.getTimeline(CUSTOMER)).filter((e) => e.source === 'archive');
    const deadline = Date.now() + 8000;
    while ((await archived()).length < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    const fromArchive = await archived();
    const call = fromArchive.find((e) => e.kind === 'call');
    const words = fromArchive.find((e) => e.kind === 'customer_message');
    const asked = fromArchive.find((e) => e.kind === 'proposal_requested');
    console.log(`    会话存档 ▸ 通话已记录：${call ? `${call.minutes} 分钟（企业微信通话）` : '没有'}`);
    console.log(`    会话存档 ▸ 读到王总的话：${words ? `「${words.note}」` : '没有'}${asked ? ' → 客户要方案' : ''}`);
    if (!call || call.minutes !== 15) failures.push('call logged from the archive');
    if (!words || !asked) failures.push("the customer's words read from the archive");

    clock.advance(4 * 3_600_000);
    say('四小时后，方案的事还没约会、也没建群');
    await sweep();
    const [meetingCard] = await expectMessages(1, 'meeting prompt', /要方案：别一个人写/);

    const card = meetingCard?.body.msgtype === 'template_card' ? meetingCard.body.template_card : undefined;
    const button = card?.button_list.find((b) => b.text === '约会议');
    console.log(`\x1b[33m  张三 ▸ 点了卡片上的「约会议」\x1b[0m`);
    if (card && button) {
      await send({
        kind: 'template_card_event',
        corpId: CORP,
        createTime: now(),
        fromUser: REP,
        eventKey: button.key,
        taskId: card.task_id,
        cardType: 'button_interaction',
        responseCode: meetingCard?.response_code,
        agentId: '1000002',
        selectedItems: [],
      });
    } else failures.push('meeting card has no 约会议 button');
    await expectMessages(1, 'meeting link', /会议链接：https:\/\//);

    clock.advance(24 * 3_600_000);
    say('第二天开完会，张三在企业微信里拉了工作群（张三 + 王总）');
    const group = { chat_id: CHAT, name: '新疆某学校·项目沟通群', owner: REP, create_time: now() };
    sandbox.setGroup({
      ...group,
      member_list: [
        { userid: REP, type: 1, join_time: now(), join_scene: 1 },
        { userid: CUSTOMER, type: 2, join_time: now(), join_scene: 1, invitor: { userid: REP } },
      ],
    });
    await send({ kind: 'external_chat', corpId: CORP, createTime: now(), chatId: CHAT, changeType: 'create' });
    await expectMessages(1, 'group join code', /入群二维码：https:\/\//);

    say('张三把二维码发给王总，王总那边两位同事扫码进群');
    sandbox.setGroup({
      ...group,
      member_list: [
        { userid: REP, type: 1, join_time: now(), join_scene: 1 },
        { userid: CUSTOMER, type: 2, join_time: now(), join_scene: 1, invitor: { userid: REP } },
        ...COLLEAGUES.map((c) => ({ userid: c, type: 2 as const, join_time: now() + 60, join_scene: 3, invitor: undefined })),
      ],
    });
    await send({
      kind: 'external_chat',
      corpId: CORP,
      createTime: now() + 60,
      chatId: CHAT,
      changeType: 'update',
      updateDetail: 'add_member',
      joinScene: 3,
      memChangeCnt: 2,
      memChangeList: COLLEAGUES,
    });
    await waitLead((l) => (l?.stakeholders.length ?? 0) === 3);
    const lead = await worker.store.getLead(CUSTOMER);
    console.log(`    账本：王总的客户侧参与人 ${lead?.stakeholders.length} 位，工作群 ${lead?.groups.length} 个`);
    if (lead?.stakeholders.length !== 3) failures.push('three customer-side stakeholders');

    clock.set(monday.plus({ weeks: 1, hours: -1 }).toMillis());
    say('下周一 09:00，每周汇总');
    await worker.nudger.digest([REP], async () => []);
    await expectMessages(1, 'monday digest', /本周要亲自打的电话/);
  } finally {
    await worker.close();
    await web.close();
    await sandbox.close();
    rmSync(archiveDir, { recursive: true, force: true });
    const r = new Redis(REDIS_URL);
    await deleteByPrefix(r, PREFIX);
    r.disconnect();
  }
  // The product's first rule, checked, not just said: nothing went to a customer by any path.
  const toCustomers = sandbox.calls.filter((c) => c.api === 'message/send' && (c.touser ?? '').split('|').some(isExternalUserId));
  if (toCustomers.length > 0 || [CUSTOMER, ...COLLEAGUES].some((c) => sandbox.inbox(c).length > 0))
    failures.push(`${toCustomers.length} message(s) to a customer`);
  console.log(
    failures.length ? `\n✗ demo incomplete: ${failures.join('; ')}` : `\n✓ demo complete: ${shown.length} messages to the rep, none to the customer.`,
  );
  if (!failures.length) {
    console.log(
      '\n经理看板：按 README「Try it as a rep」跑起沙箱和机器人、加上王总之后，在浏览器打开\n' +
        '  http://localhost:3000/board/leads/woWANG0000000001\n' +
        '沙箱会显示企业微信的扫码登录页：选「王五（wangwu）」——张三的经理——就能看到王总这条线索，点「提醒他」张三会在企业微信收到卡片。',
    );
  }
  return failures.length ? 1 : 0;
}

/**
 * Redis for the demo: the one at REDIS_URL; else, where redis-server is installed but not running, a private one on a
 * free port (removed afterwards); else one line saying how to get one.
 */
async function withRedis(run: () => Promise<number>): Promise<number> {
  const probe = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  probe.on('error', () => undefined);
  const up = await probe.connect().then(
    () => probe.ping().then(() => true),
    () => false,
  );
  probe.disconnect();
  if (up) return run();
  if (spawnSync('redis-server', ['--version']).status !== 0) {
    console.error(`demo: no Redis at ${REDIS_URL} and no redis-server installed — install one (apt-get install redis-server) or set REDIS_URL.`);
    return 1;
  }
  const server = new PrivateRedis(await PrivateRedis.freePort());
  await server.start();
  REDIS_URL = server.url;
  console.log(`(no Redis at ${process.env.REDIS_URL ?? 'the default address'}: started a private redis-server on ${server.url}, removed at the end)`);
  try {
    return await run();
  } finally {
    await server.stop();
  }
}

const started = Date.now();
withRedis(main)
  .then((code) => {
    console.log(`(${((Date.now() - started) / 1000).toFixed(1)} s)`);
    process.exit(code);
  })
  .catch((err: unknown) => {
    console.error(`demo failed: ${(err as Error).stack ?? String(err)}`);
    process.exit(1);
  });
