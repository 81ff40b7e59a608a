/**
 * The chat sidebar in a real browser at the toolbar's width: Chromium from Debian's packages, Playwright, the web and
 * worker processes' code on a real Redis, and the sandbox playing WeCom — its sign-in and its client (the JS bridge
 * stand-in, which checks the page's agentConfig signature against the sandbox's tickets). 张三 opens the sidebar in
 * 王总's chat: sees the state and the next step, logs a 15-minute call, confirms what the customer's words suggest,
 * books a meeting and opens a group — each on the lead and in his app chat as the command's reply. A colleague's
 * customer shows only its owner; a contact not yet a lead is made one in one tap; a wrong signature, a member without
 * 客户联系, a client that never answers and a visit outside WeCom each get their Chinese line. Axe on every page.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { newLead } from '../../src/domain/lead';
import type { TimelineEntry } from '../../src/domain/timeline';
import { startWeb, type WebHandle } from '../../src/main/web';
import { startWorker, type WorkerHandle } from '../../src/main/worker';
import { LedgerStore } from '../../src/store/ledger-store';
import { createRedis } from '../../src/store/redis';
import { CallbackDriver } from '../../tools/sandbox/callback-driver';
import { captureLogger, cleanupRedis, REDIS_URL, testConfig, uniquePrefix, VECTOR_A, waitFor, freePort } from '../helpers/config';
import { startSandbox } from '../helpers/sandbox';
import type { Config } from '../../src/config/env';
import { customerSignals } from '../../src/main/customer-signals';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const SCREENSHOTS = path.join(__dirname, '..', '..', 'docs', 'screenshots');
const prefix = uniquePrefix('sidebar-browser');
const DAY = 86_400_000;
const WANG = 'woSIDEBAR00001';
const LIU = 'woSIDEBAR00002';
const NEWC = 'woSIDEBAR00003';
let browser: Browser;
let web: WebHandle;
let worker: WorkerHandle;
let base: string;
let config: Config;
let sb: Awaited<ReturnType<typeof startSandbox>>;

beforeAll(async () => {
  mkdirSync(SCREENSHOTS, { recursive: true });
  sb = await startSandbox({ corpId: VECTOR_A.corpId, secret: 'test-secret', agentId: 218 });
  sb.sandbox
    .addUser({ userid: 'wangwu', name: '王五' })
    .addUser({ userid: 'zhangsan', name: '张三', direct_leader: ['wangwu'] })
    .addUser({ userid: 'lisi', name: '李四', direct_leader: ['wangwu'] });
  sb.sandbox.addContact({ external_userid: WANG, name: '王建国', type: 1, corp_name: '某某制造' }, [{ userid: 'zhangsan', remark: '王总', state: '' }]);
  sb.sandbox.addContact({ external_userid: LIU, name: '刘洋', type: 1, corp_name: '深圳某物流' }, [{ userid: 'lisi', remark: '刘总', state: '' }]);
  sb.sandbox.addContact({ external_userid: NEWC, name: '赵敏', type: 1, corp_name: '西北某医院' }, [{ userid: 'zhangsan', remark: '赵主任', state: '' }]);
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  config = testConfig(prefix, {
    WECOM_API_BASE: sb.url,
    WECOM_OAUTH_BASE: sb.url,
    WECOM_SSO_BASE: sb.url,
    PUBLIC_URL: base,
    WECOM_CLIENT_BRIDGE: `${sb.url}/sandbox/client-bridge.js`,
  });
  const now = Date.now();
  // What 王总 wrote, read by the real reader: it suggests 陪跑.
  const words = '我们也在看别家，先比比价';
  const message: TimelineEntry = { id: `m1:${WANG}`, at: now - 2 * DAY, kind: 'customer_message', source: 'archive', actor: WANG, note: words };
  const entries = (id: string): TimelineEntry[] => [
    { id: `added:${id}`, at: now - 3 * DAY, kind: 'added', source: 'callback', actor: 'zhangsan' },
    message,
    ...customerSignals({ addEntries: async () => [] }, 'Asia/Shanghai').entriesFor(message, words).entries,
  ];
  const redis = createRedis(REDIS_URL, 'general');
  await new LedgerStore(redis, prefix).bulkLoad([
    {
      lead: newLead({
        id: WANG,
        externalUserId: WANG,
        name: '王建国',
        remark: '王总',
        company: '某某制造',
        owner: 'zhangsan',
        source: 'inquiry',
        createdAt: now - 3 * DAY,
      }),
      entries: entries(WANG),
    },
    { lead: newLead({ id: LIU, externalUserId: LIU, name: '刘洋', remark: '刘总', owner: 'lisi', source: 'web', createdAt: now - 3 * DAY }), entries: [] },
  ]);
  redis.disconnect();
  web = await startWeb(config, captureLogger('silent').log, { port });
  worker = await startWorker(config, captureLogger('silent').log, { schedulers: false });
  // The client stand-in opens a group as WeCom's client does; WeCom then tells the bot (change_external_chat create).
  const driver = new CallbackDriver(base, { ...VECTOR_A });
  sb.sandbox.onChatOpened = async (chatId) => {
    await driver.send({ kind: 'external_chat', corpId: VECTOR_A.corpId, createTime: Math.floor(Date.now() / 1000), chatId, changeType: 'create' });
  };
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-dev-shm-usage'] });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await worker?.close();
  await web?.close();
  await sb?.sandbox.close();
  await cleanupRedis(prefix);
});

const admin = () => ({ authorization: `Bearer ${config.adminToken}` });
const lead = async (id: string) =>
  (await (await fetch(`${base}/api/leads/${id}`, { headers: admin() })).json()) as { lead: { state: string; groups: string[] }; timeline: TimelineEntry[] };
const inboxTexts = (user: string) => sb.sandbox.inbox(user).flatMap((m) => (m.body.msgtype === 'text' ? [m.body.text.content] : []));

/** A phone-width page, signed in as `member` through the sandbox's WeCom sign-in, on /sidebar. */
async function openSidebar(member: string): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport: { width: 360, height: 740 } });
  const page = await context.newPage();
  await page.goto(`${base}/sidebar`);
  await page.waitForURL((u) => u.pathname === '/wwlogin/sso/login');
  await page.getByRole('link', { name: new RegExp(`（${member}）`) }).click();
  await page.waitForURL(`${base}/sidebar`);
  await page.waitForSelector('main[aria-busy="false"]');
  return { context, page };
}

async function noSeriousViolations(page: Page) {
  const result = await new AxeBuilder({ page }).analyze();
  const serious = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  expect(serious.map((v) => `${v.id}: ${v.help} (${v.nodes.length})`)).toEqual([]);
}

test("张三 in 王总's chat: state and next step, a 15-minute call, the suggestion confirmed, a meeting, a group", async () => {
  sb.sandbox.client = { entry: 'single_chat_tools', userId: 'zhangsan', externalUserId: WANG };
  const { context, page } = await openSidebar('zhangsan');
  await page.getByRole('heading', { level: 1, name: '王总（某某制造）' }).waitFor();
  const facts = await page.locator('#facts').innerText();
  expect(facts).toContain('未定位');
  expect(facts).toContain('本周通话');
  expect(await page.getByRole('region', { name: '下一步' }).innerText()).toContain('您是出来比价的');
  expect(await page.getByRole('region', { name: '客户的话像是' }).innerText()).toContain('我们也在看别家');
  // The client checked the page's agentConfig signature against the sandbox's tickets.
  expect(sb.sandbox.calls.filter((c) => c.api === 'client/agentConfig').map((c) => c.errcode)).toContain(0);
  await noSeriousViolations(page);
  await page.screenshot({ path: path.join(SCREENSHOTS, 'sidebar-lead.png'), fullPage: true });

  // 已打电话 15 分钟: on the lead (source sidebar), and the command's reply in his app chat.
  await page.getByRole('button', { name: '15 分钟' }).click();
  await page.locator('#result .reply').filter({ hasText: '已记录：与王总通话 15 分钟' }).waitFor();
  await waitFor(async () => (await lead(WANG)).timeline.some((e) => e.kind === 'call' && e.source === 'sidebar' && e.minutes === 15));
  await waitFor(() => inboxTexts('zhangsan').some((t) => t.startsWith('已记录：与王总通话 15 分钟')));

  // The customer's words suggest 陪跑: confirmed in one tap, through the rep-action core.
  await page.getByRole('button', { name: '是，陪跑（已接触几家）' }).click();
  await waitFor(async () => (await lead(WANG)).lead.state === 'benchmarking');
  await page.locator('#facts').filter({ hasText: '陪跑' }).waitFor();

  // 约会议: a time in business time; the link is shown to copy, never sent to the customer.
  const when = new Date(Date.now() + 2 * DAY).toLocaleString('sv-SE', { timeZone: 'Asia/Shanghai' }).slice(0, 10) + 'T15:00';
  await page.locator('#meeting-at').fill(when);
  await page.getByRole('button', { name: '创建会议' }).click();
  await page.locator('#result .copy').filter({ hasText: 'https://' }).waitFor();
  // At the instant the rep picked, in business time: 15:00 in Shanghai.
  const booked = (await lead(WANG)).timeline.find((e) => e.kind === 'meeting_scheduled') as unknown as { startsAt: string } | undefined;
  expect(booked?.startsAt).toBe(new Date(`${when}:00+08:00`).toISOString());
  expect(sb.sandbox.meetings.at(-1)?.meeting_start).toBe(Date.parse(`${when}:00+08:00`) / 1000);

  // 建群: the client opens the group with 王总; WeCom tells the bot; the join code follows as today.
  await page.getByRole('button', { name: '和客户建群' }).click();
  await waitFor(async () => (await lead(WANG)).lead.groups.length === 1, { timeoutMs: 15_000 });
  await waitFor(() => inboxTexts('zhangsan').some((t) => t.includes('入群二维码')), { timeoutMs: 15_000 });
  // Nothing went to a customer.
  expect(sb.sandbox.inbox(WANG)).toEqual([]);
  await context.close();

  // In that group's toolbar: its leads, and the rep picks his.
  sb.sandbox.client = { entry: 'group_chat_tools', userId: 'zhangsan', chatId: (await lead(WANG)).lead.groups[0] };
  const inGroup = await openSidebar('zhangsan');
  await inGroup.page.getByRole('button', { name: '王总' }).click();
  await inGroup.page.getByRole('heading', { level: 1, name: '王总（某某制造）' }).waitFor();
  await noSeriousViolations(inGroup.page);
  await inGroup.context.close();
}, 90_000);

test("a colleague's customer shows only its owner; a contact not yet a lead is made one in one tap", async () => {
  sb.sandbox.client = { entry: 'single_chat_tools', userId: 'zhangsan', externalUserId: LIU };
  const { context, page } = await openSidebar('zhangsan');
  await page.getByText('由李四跟进').waitFor();
  expect(await page.locator('#view').innerText()).not.toContain('刘洋');
  sb.sandbox.client = { entry: 'single_chat_tools', userId: 'zhangsan', externalUserId: NEWC };
  await page.reload();
  await page.waitForSelector('main[aria-busy="false"]');
  await page.getByRole('button', { name: '加入跟进' }).click();
  await page.getByRole('heading', { level: 1, name: /赵主任|赵敏/ }).waitFor();
  expect((await lead(NEWC)).lead).toMatchObject({ state: 'unknown' });
  await context.close();
}, 60_000);

test('a wrong signature, no 客户联系, a client that never answers, outside WeCom: one Chinese line each', async () => {
  const lineFor = async (client: typeof sb.sandbox.client, expected: string, shot?: string) => {
    sb.sandbox.client = client;
    const { context, page } = await openSidebar('zhangsan');
    await page.getByRole('status').filter({ hasText: expected }).first().waitFor({ timeout: 15_000 });
    await noSeriousViolations(page);
    if (shot) await page.screenshot({ path: path.join(SCREENSHOTS, shot) });
    await context.close();
  };
  await lineFor({ entry: 'none', userId: 'zhangsan' }, '请在企业微信里打开', 'sidebar-outside.png');
  await lineFor({ entry: 'single_chat_tools', userId: 'zhangsan', externalUserId: WANG, noPermission: true }, '没有「客户联系」权限');
  await lineFor({ entry: 'single_chat_tools', userId: 'zhangsan', externalUserId: WANG, silent: true }, '企业微信没有回应');
  // The sandbox no longer knows the tickets the bot cached: the page's signature fails as the client fails it.
  sb.sandbox.tickets.agent.clear();
  sb.sandbox.tickets.corp.clear();
  await lineFor({ entry: 'single_chat_tools', userId: 'zhangsan', externalUserId: WANG }, '页面签名校验没有通过', 'sidebar-signature.png');
}, 90_000);
