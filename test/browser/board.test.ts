/**
 * The board in a real browser: Chromium from Debian's packages, driven by Playwright, against the web and worker
 * processes' code on a real Redis and the WeCom sandbox. A manager opens a lead's page, is sent to WeCom's sign-in
 * (the sandbox's QR-login page), picks themself, lands on the page, presses 提醒他 — and the rep's sandbox inbox gets
 * the card; a rep sees their own lead and not a colleague's; sign-out ends the session. Each page is scanned with axe
 * (no serious or critical violations) and screenshotted into test-artifacts/board/.
 */
import { existsSync } from 'node:fs';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import { chromium, type Browser, type Page } from 'playwright-core';
import { newLead } from '../../src/domain/lead';
import type { TimelineEntry } from '../../src/domain/timeline';
import { startWeb, type WebHandle } from '../../src/main/web';
import { startWorker, type WorkerHandle } from '../../src/main/worker';
import { LedgerStore } from '../../src/store/ledger-store';
import { createRedis } from '../../src/store/redis';
import { captureLogger, cleanupRedis, REDIS_URL, testConfig, uniquePrefix, VECTOR_A, waitFor, freePort } from '../helpers/config';
import { startSandbox } from '../helpers/sandbox';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARTIFACTS = path.join(__dirname, '..', '..', 'test-artifacts', 'board');
const prefix = uniquePrefix('board-browser');
const DAY = 86_400_000;
let browser: Browser;
let web: WebHandle;
let worker: WorkerHandle;
let base: string;
let sb: Awaited<ReturnType<typeof startSandbox>>;

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  sb = await startSandbox({ corpId: VECTOR_A.corpId, secret: 'test-secret', agentId: 218 });
  sb.sandbox
    .addUser({ userid: 'wangwu', name: '王五' })
    .addUser({ userid: 'zhangsan', name: '张三', direct_leader: ['wangwu'] })
    .addUser({ userid: 'lisi', name: '李四', direct_leader: ['wangwu'] });
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  const config = testConfig(prefix, { WECOM_API_BASE: sb.url, WECOM_OAUTH_BASE: sb.url, WECOM_SSO_BASE: sb.url, PUBLIC_URL: base });
  const redis = createRedis(REDIS_URL, 'general');
  const now = Date.now();
  const entries = (id: string): TimelineEntry[] => [
    { id: `added:${id}`, at: now - 20 * DAY, kind: 'added', source: 'callback', actor: 'zhangsan' },
    { id: `m1:${id}`, at: now - 15 * DAY, kind: 'customer_message', source: 'archive', actor: id, note: '别家已经给了报价，你们也发一份方案我们比比' },
    { id: `c1:${id}`, at: now - 14 * DAY, kind: 'call', source: 'command', actor: 'zhangsan', minutes: 25, outcome: 'talked' },
    { id: `s1:${id}`, at: now - 14 * DAY, kind: 'state_changed', source: 'card', actor: 'zhangsan', from: 'unknown', to: 'benchmarking' },
    { id: `h1:${id}`, at: now - 7 * DAY, kind: 'meeting_held', source: 'reconcile', actor: 'zhangsan', minutes: 50, customerAttendees: 3 },
    { id: `m2:${id}`, at: now - 2 * DAY, kind: 'customer_message', source: 'archive', actor: id, note: '下周五开会定' },
    { id: `n1:${id}`, at: now - 10 * DAY, kind: 'nudge_sent', source: 'api', nudgeId: `quiet:${id}:1`, nudgeKind: 'quiet' },
    { id: `a1:${id}`, at: now - 10 * DAY + 3_600_000, kind: 'nudge_acted', source: 'card', actor: 'zhangsan', nudgeId: `quiet:${id}:1` },
    { id: `c2:${id}`, at: now - 10 * DAY + 3_600_000, kind: 'call', source: 'card', actor: 'zhangsan', minutes: 15, outcome: 'talked' },
    { id: `n2:${id}`, at: now - 5 * DAY, kind: 'nudge_sent', source: 'api', nudgeId: `weekly_call:${id}:1`, nudgeKind: 'weekly_call' },
  ];
  await new LedgerStore(redis, prefix).bulkLoad([
    {
      lead: {
        ...newLead({
          id: 'woBROWSER0001',
          externalUserId: 'woBROWSER0001',
          name: '王建国',
          remark: '王总',
          company: '某某制造',
          owner: 'zhangsan',
          source: 'inquiry',
          createdAt: now - 20 * DAY,
        }),
        state: 'benchmarking',
      },
      entries: entries('woBROWSER0001'),
    },
    {
      lead: newLead({ id: 'woBROWSER0002', externalUserId: 'woBROWSER0002', name: '陈明', owner: 'lisi', source: 'web', createdAt: now - 3 * DAY }),
      entries: [],
    },
  ]);
  redis.disconnect();
  web = await startWeb(config, captureLogger('silent').log, { port });
  worker = await startWorker(config, captureLogger('silent').log, { schedulers: false });
  if (!existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM}: apt-get install chromium fonts-noto-cjk (or set CHROMIUM_PATH)`);
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-dev-shm-usage'] });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await worker?.close();
  await web?.close();
  await sb?.sandbox.close();
  await cleanupRedis(prefix);
});

/** Open a board page signed out: WeCom's sign-in page (the sandbox's), pick the member, back on the page. */
async function signInThrough(page: Page, path: string, member: string) {
  await page.goto(`${base}${path}`);
  await page.waitForURL((u) => u.pathname === '/wwlogin/sso/login');
  await page.getByRole('link', { name: new RegExp(`（${member}）`) }).click();
  await page.waitForURL(`${base}${path}`);
}

async function noSeriousViolations(page: Page) {
  const result = await new AxeBuilder({ page }).analyze();
  const serious = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  expect(serious.map((v) => `${v.id}: ${v.help} (${v.nodes.length})`)).toEqual([]);
}

test('a manager signs in through WeCom, opens a lead, presses 提醒他; the rep’s WeCom gets the card', async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  await signInThrough(page, '/board/leads/woBROWSER0001', 'wangwu');
  await expect(page.getByRole('heading', { level: 1 })).toHaveTextOrWait('王总（某某制造）');
  await page.waitForSelector('main[aria-busy="false"]');
  expect(await page.locator('#facts').innerText()).toContain('陪跑（已接触几家）');
  expect(await page.locator('#customer-side').innerText()).toContain('别家已经给了报价');
  expect(await page.locator('#mindshare-table tbody tr').count()).toBe(12);
  await noSeriousViolations(page);
  await page.screenshot({ path: path.join(ARTIFACTS, 'lead-manager.png'), fullPage: true });

  await page.getByRole('button', { name: '提醒他' }).click();
  await page.getByRole('status').filter({ hasText: '已提醒 张三' }).waitFor();
  await waitFor(() =>
    sb.sandbox.inbox('zhangsan').some((m) => m.body.msgtype === 'template_card' && m.body.template_card.main_title.title === '王五提醒你跟进王总'),
  );
  await context.close();
}, 60_000);

test('a rep sees their own lead without the manager’s buttons, and not a colleague’s; sign-out ends the session', async () => {
  const context = await browser.newContext({ viewport: { width: 390, height: 844 }, userAgent: 'Mozilla/5.0 (iPhone) wxwork/4.1.22' });
  const page = await context.newPage();
  await page.goto(`${base}/board/leads/woBROWSER0001`);
  await page.waitForURL((u) => u.pathname === '/connect/oauth2/authorize'); // inside the WeCom client: OAuth, not QR
  await page.getByRole('link', { name: /（zhangsan）/ }).click();
  await page.waitForURL(`${base}/board/leads/woBROWSER0001`);
  await page.waitForSelector('main[aria-busy="false"]');
  expect(await page.locator('#actions').isHidden()).toBe(true);
  await noSeriousViolations(page);
  await page.screenshot({ path: path.join(ARTIFACTS, 'lead-rep-phone.png'), fullPage: true });

  await page.goto(`${base}/board/leads/woBROWSER0002`);
  await expect(page.getByRole('heading', { level: 1 })).toHaveTextOrWait('没有这个客户，或你看不到他');

  await page.goto(`${base}/board/leads/woBROWSER0001`);
  await page.waitForSelector('main[aria-busy="false"]');
  await page.getByRole('button', { name: '退出登录' }).click();
  await page.waitForURL(`${base}/auth/signed-out`);
  await noSeriousViolations(page);
  await page.goto(`${base}/board/leads/woBROWSER0001`);
  await page.waitForURL((u) => u.pathname === '/connect/oauth2/authorize');
  await context.close();
}, 60_000);

test('团队 → 风险 → 客户: a manager sorts the team, opens a rep’s leads at risk, then a lead', async () => {
  await worker.nudger.rebuildBoard();
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  await signInThrough(page, '/board', 'wangwu');
  await page.waitForSelector('main[aria-busy="false"]');
  const rows = page.locator('#team tbody tr');
  expect(await rows.count()).toBe(2);
  expect(await page.locator('#team').innerText()).toContain('张三');
  // 近 8 周通话覆盖: 张三's lead was called two and one and a half weeks ago (the weeks are business weeks).
  const spark = page.locator('#team tbody tr', { hasText: '张三' }).locator('svg.spark');
  expect(await spark.getAttribute('aria-label')).toMatch(/^近 8 周通话覆盖：.*本周 0\/1$/);
  expect(await spark.getAttribute('aria-label')).toContain('1/1');
  expect(await page.locator('#team thead').innerText()).toContain('赢单（30天）');
  expect(await page.locator('#risk-explained').innerText()).toMatch(/^风险 = .*决策日已过 5/);
  await page.getByRole('button', { name: '在跟客户' }).click();
  expect(await page.locator('#team thead th[aria-sort="descending"]').innerText()).toBe('在跟客户');
  await noSeriousViolations(page);
  await page.screenshot({ path: path.join(ARTIFACTS, 'team.png'), fullPage: true });

  await page.getByRole('link', { name: '张三' }).click();
  await page.waitForURL(`${base}/board/risks?rep=zhangsan`);
  await page.waitForSelector('main[aria-busy="false"]');
  expect(await page.locator('#risks').innerText()).toContain('王总');
  // Names, not ids: the owner by name, the rep filter a choice by name, each chip with what it adds to the score.
  expect(await page.locator('#risks').innerText()).toContain('张三');
  expect(await page.locator('#risks').innerText()).not.toContain('zhangsan');
  expect(await page.locator('#f-rep option:checked').innerText()).toBe('张三');
  expect(await page.locator('#risks .chip').first().innerText()).toMatch(/\+\d/);
  await noSeriousViolations(page);
  await page.screenshot({ path: path.join(ARTIFACTS, 'risks.png'), fullPage: true });
  await page.getByRole('link', { name: '王总' }).click();
  await page.waitForURL(`${base}/board/leads/woBROWSER0001`);
  await page.waitForSelector('main[aria-busy="false"]');
  expect(await page.locator('#nudges').innerText()).toContain('客户沉默，打电话');
  // No userid, ISO date or week id anywhere people read.
  const shown = await page.locator('main').innerText();
  expect(shown).not.toMatch(/zhangsan|wangwu|\d{4}-\d{2}-\d{2}|\d{4}-W\d{2}/);

  // 提醒效果: per kind, for everyone and per rep.
  await page.getByRole('link', { name: '提醒效果' }).click();
  await page.waitForURL(`${base}/board/nudges`);
  await page.waitForSelector('main[aria-busy="false"]');
  const quiet = page.locator('#by-kind tbody tr', { hasText: '客户沉默，打电话' });
  expect((await quiet.locator('td').allInnerTexts()).map((t) => t.trim())).toEqual(['1', '1（100%）', '1（100%）', '0（0%）']);
  const weekly = page.locator('#by-kind tbody tr', { hasText: '每周亲自打电话' });
  expect((await weekly.locator('td').allInnerTexts()).map((t) => t.trim())).toEqual(['1', '0（0%）', '0（0%）', '1（100%）']);
  // A table for the rep who was sent nudges; the others named once, not an empty table each.
  expect(await page.locator('#by-rep caption').allInnerTexts()).toEqual(['张三']);
  expect(await page.locator('#by-rep').innerText()).toContain('近 30 天没有收到提醒：李四');
  await noSeriousViolations(page);
  await page.screenshot({ path: path.join(ARTIFACTS, 'nudges.png'), fullPage: true });
  await context.close();
}, 60_000);

// A small helper so the assertions read like Playwright's own.
declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace jest {
    interface Matchers<R> {
      toHaveTextOrWait(text: string): Promise<R>;
    }
  }
}
expect.extend({
  async toHaveTextOrWait(locator: { innerText(): Promise<string> }, text: string) {
    const deadline = Date.now() + 10_000;
    let last = '';
    while (Date.now() < deadline) {
      last = await locator.innerText().catch(() => '');
      if (last.includes(text)) return { pass: true, message: () => `found ${text}` };
      await new Promise((r) => setTimeout(r, 100));
    }
    return { pass: false, message: () => `expected "${text}", saw "${last}"` };
  },
});
