import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DEFAULT_CONFIG_FILE } from '../../src/config/env';
import { cleanupRedis, testConfig, uniquePrefix, waitFor } from '../helpers/config';
import { fixture } from '../helpers/fixtures';
import { recordingHandlers, startBot, type Running } from '../helpers/harness';

const prefix = uniquePrefix('parking');
const policy = JSON.parse(readFileSync(DEFAULT_CONFIG_FILE, 'utf8'));
policy.inbox = { ...policy.inbox, attempts: 3, backoffMs: 20 };
const file = path.join(mkdtempSync(path.join(tmpdir(), 'wf-parking-')), 'app.json');
writeFileSync(file, JSON.stringify(policy));
const config = testConfig(prefix, { CONFIG_FILE: file });
const admin = { authorization: `Bearer ${config.adminToken}` };

let broken = true;
const attempts: number[] = [];
const { handlers, seen } = recordingHandlers((e, ctx) => {
  if (e.kind === 'external_chat' && e.chatId === 'CHAT_BROKEN') {
    attempts.push(ctx.attempt);
    return broken;
  }
  return false;
});
let bot: Running;
beforeAll(async () => {
  bot = await startBot(config, handlers);
});
afterAll(async () => {
  await bot.close();
  await cleanupRedis(prefix);
});

test('a throwing handler is retried with backoff, parked after its attempts, listed for operators and replayable', async () => {
  const brokenXml = fixture('app/chat_create.xml').replace('CHAT_ID', 'CHAT_BROKEN');
  expect((await bot.driver.deliver(bot.driver.appRequest(brokenXml))).status).toBe(200);
  // The event behind it is not blocked.
  expect((await bot.driver.deliver(bot.driver.appRequest(fixture('app/chat_create.xml').replace('CHAT_ID', 'CHAT_FINE')))).status).toBe(200);
  await waitFor(() => seen.some((s) => s.event.kind === 'external_chat' && s.event.chatId === 'CHAT_FINE'));

  await waitFor(() => attempts.length === 3);
  expect(attempts).toEqual([1, 2, 3]);
  await waitFor(() => bot.lines.some((l) => l.reason === 'inbox.parked'));
  expect(bot.lines.filter((l) => l.reason === 'inbox.retrying')).toHaveLength(2);

  expect((await fetch(`${bot.baseUrl}/api/inbox/failed`)).status).toBe(401);
  const list = (await (await fetch(`${bot.baseUrl}/api/inbox/failed`, { headers: admin })).json()) as {
    items: { id: string; kind: string; failedReason: string; attemptsMade: number }[];
  };
  expect(list.items).toHaveLength(1);
  expect(list.items[0]).toMatchObject({ kind: 'external_chat', attemptsMade: 3, failedReason: 'induced failure on attempt 3' });

  broken = false;
  const id = list.items[0]?.id ?? '';
  expect((await fetch(`${bot.baseUrl}/api/inbox/failed/nope/retry`, { method: 'POST', headers: admin })).status).toBe(404);
  expect((await fetch(`${bot.baseUrl}/api/inbox/failed/${id}/retry`, { method: 'POST', headers: admin })).status).toBe(202);
  await waitFor(() => seen.some((s) => s.event.kind === 'external_chat' && s.event.chatId === 'CHAT_BROKEN'));
  const after = (await (await fetch(`${bot.baseUrl}/api/inbox/failed`, { headers: admin })).json()) as { items: unknown[] };
  expect(after.items).toHaveLength(0);
});
