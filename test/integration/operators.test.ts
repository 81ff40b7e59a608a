/** What operators get besides the admin API: Prometheus metrics and the queue dashboard, both behind ADMIN_TOKEN. */
import { cleanupRedis, testConfig, uniquePrefix, waitFor } from '../helpers/config';
import { fixture } from '../helpers/fixtures';
import { recordingHandlers, startBot, type Running } from '../helpers/harness';

const prefix = uniquePrefix('operators');
const config = testConfig(prefix);
const { handlers, seen } = recordingHandlers();
let bot: Running;

beforeAll(async () => {
  bot = await startBot(config, handlers);
});
afterAll(async () => {
  await bot.close();
  await cleanupRedis(prefix);
});

const bearer = { authorization: `Bearer ${config.adminToken}` };
const basic = (password: string) => ({ authorization: `Basic ${Buffer.from(`ops:${password}`).toString('base64')}` });

test('GET /metrics: callbacks by status and reason, latency, queue depths, inbox backlog, leads — admin only', async () => {
  expect((await fetch(`${bot.baseUrl}/metrics`)).status).toBe(401);
  const ok = await bot.driver.deliver(bot.driver.appRequest(fixture('app/chat_create.xml')), { retries: 0 });
  expect(ok.status).toBe(200);
  const bad = bot.driver.appRequest(fixture('app/chat_create.xml'));
  const forged = await bot.driver.deliver({ ...bad, query: { ...bad.query, msg_signature: '0'.repeat(40) } }, { retries: 0 });
  expect(forged.status).toBe(401);
  await waitFor(() => seen.length === 1);

  const res = await fetch(`${bot.baseUrl}/metrics`, { headers: bearer });
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
  const text = await res.text();
  expect(text).toMatch(/wf_callbacks_total\{route="\/wecom\/callback",status="200",reason="RECORDED"\} 1/);
  expect(text).toMatch(/wf_callbacks_total\{route="\/wecom\/callback",status="401",reason="SIGNATURE_INVALID"\} 1/);
  expect(text).toMatch(/wf_callback_seconds_count\{route="\/wecom\/callback"\} 2/);
  expect(text).toMatch(/wf_queue_jobs\{queue="inbox",state="completed"\} 1/);
  for (const q of ['send', 'nudges', 'reconcile']) expect(text).toMatch(new RegExp(`wf_queue_jobs\\{queue="${q}",state="failed"\\} 0`));
  expect(text).toMatch(/wf_inbox_entries\{kind="length"\} 1/);
  expect(text).toMatch(/wf_inbox_entries\{kind="pending"\} 0/);
  expect(text).toMatch(/wf_leads\{by="state",value="unknown"\} \d+/);
  expect(text).toMatch(/wf_process_cpu_seconds_total/);
  // Secrets never appear.
  expect(text).not.toContain(config.adminToken);
  expect(text).not.toContain(config.wecom.aesKey);
});

test('/admin/queues: the queue dashboard, behind the admin token (a browser is asked for it)', async () => {
  const anonymous = await fetch(`${bot.baseUrl}/admin/queues`);
  expect(anonymous.status).toBe(401);
  expect(anonymous.headers.get('www-authenticate')).toMatch(/^Basic realm="wecom-followup admin"/);
  expect((await fetch(`${bot.baseUrl}/admin/queues`, { headers: basic('wrong-password-00000') })).status).toBe(401);

  const page = await fetch(`${bot.baseUrl}/admin/queues`, { headers: basic(config.adminToken) });
  expect(page.status).toBe(200);
  expect(await page.text()).toMatch(/<html/i);
  const api = await fetch(`${bot.baseUrl}/admin/queues/api/queues`, { headers: bearer });
  expect(api.status).toBe(200);
  const names = ((await api.json()) as { queues: { name: string }[] }).queues.map((q) => q.name).sort();
  expect(names).toEqual(['inbox', 'nudges', 'reconcile', 'send']);
});
