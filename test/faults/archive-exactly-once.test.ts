/**
 * Never lose, never repeat: 20,000 archived records, two worker processes both trying to pull, the one pulling
 * SIGKILLed mid-stream (a third takes its place), Redis restarted once — and every record is applied exactly once
 * (timeline entries counted by msgid), the checkpoint equals the last seq, nothing is skipped, and no two pulls
 * overlapped (the stub SDK logs every call with its process and times).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { newLead } from '../../src/domain/lead';
import { RedisArchiveState } from '../../src/store/archive-state';
import { LedgerStore } from '../../src/store/ledger-store';
import { createRedis } from '../../src/store/redis';
import { archiveMessages, SandboxArchive, stubSdkPath } from '../../tools/sandbox/archive';
import type { WeComSandbox } from '../../tools/sandbox/wecom-sandbox';
import { uniquePrefix, VECTOR_A, waitFor } from '../helpers/config';
import { PrivateRedis } from '../helpers/redis-server';
import { startChild, startSandbox } from '../helpers/sandbox';

const RECORDS = 20_000;
const CUSTOMERS = Array.from({ length: 40 }, (_, i) => `woFAULT${String(i).padStart(8, '0')}`);
const REP = 'zhangsan';
const SECRET = 'archive-sdk-secret-faults';

type Child = Awaited<ReturnType<typeof startChild>>;
const children: Child[] = [];
let server: PrivateRedis;
let redisDir: string;
let stubDir: string;
let sandbox: WeComSandbox;
let sandboxUrl: string;

beforeAll(async () => {
  redisDir = mkdtempSync(path.join(tmpdir(), 'wf-archive-redis-'));
  stubDir = mkdtempSync(path.join(tmpdir(), 'wf-archive-stub-'));
  server = new PrivateRedis(await PrivateRedis.freePort(), redisDir);
  await server.start();
  ({ sandbox, url: sandboxUrl } = await startSandbox({ corpId: VECTOR_A.corpId, secret: 'test-secret', agentId: 218 }));
  sandbox.addUser({ userid: REP, name: '张三' });
});
afterAll(async () => {
  await Promise.all(children.map((c) => c.stop()));
  await sandbox.close();
  await server.stop();
  rmSync(redisDir, { recursive: true, force: true });
  rmSync(stubDir, { recursive: true, force: true });
});

test('20,000 records, two pullers, one killed, Redis restarted: each record applied once, none skipped, no pulls overlapping', async () => {
  const prefix = uniquePrefix('archive-faults');
  const redis = createRedis(server.url, 'general', { maxRetriesPerRequest: 50 });
  const store = new LedgerStore(redis, prefix);
  const start = Date.now() - 3_600_000;
  await store.bulkLoad(
    CUSTOMERS.map((id, i) => ({ lead: newLead({ id, externalUserId: id, name: `客户${i}`, owner: REP, source: 'other', createdAt: start }), entries: [] })),
  );

  const archive = new SandboxArchive(stubDir, { versions: [1] });
  archive.requireSecret(SECRET);
  const msgids: string[] = [];
  for (let chunk = 0; chunk < RECORDS / 1000; chunk++) {
    const batch = Array.from({ length: 1000 }, (_, j) => {
      const n = chunk * 1000 + j;
      const msgid = `fault-${n}`;
      msgids.push(msgid);
      const customer = CUSTOMERS[n % CUSTOMERS.length] as string;
      return n % 10 === 9
        ? archiveMessages.call({ user: REP, external: customer, minutes: 3, at: start + n * 100, msgid })
        : archiveMessages.text({ from: customer, to: [REP], text: `好的，第${n}条收到`, at: start + n * 100, msgid });
    });
    archive.append(batch);
  }

  const env = {
    PREFIX: prefix,
    TEST_REDIS_URL: server.url,
    SANDBOX_URL: sandboxUrl,
    CORP_ID: VECTOR_A.corpId,
    SECRET: 'test-secret',
    AGENT_ID: '218',
    WECOM_SDK_STUB_DIR: stubDir,
    WECOM_ARCHIVE_SDK_PATH: stubSdkPath(),
    WECOM_ARCHIVE_SECRET: SECRET,
    WECOM_ARCHIVE_KEYS: archive.keysDir,
    ARCHIVE_POLICY: JSON.stringify({ leaseSeconds: 3, maxBackoffSeconds: 1, pullEverySeconds: 1, batchLimit: 500 }),
  };
  // Every GetChatData takes a while, so a kill and the restart fall in the middle of the stream.
  archive.setMode('slow 150');
  children.push(...(await Promise.all([startChild('worker', env), startChild('worker', env)])));
  const state = new RedisArchiveState(redis, prefix);
  const checkpoint = () => state.checkpoint();

  // Kill whichever process holds the lease, mid-stream; a third worker joins.
  await waitFor(async () => (await checkpoint()) >= 4000, { timeoutMs: 120_000, intervalMs: 20 });
  const holder = (await state.status()).holder;
  const pid = Number(holder?.split(':').pop());
  const victim = children.find((c) => c.child.pid === pid);
  expect(victim).toBeDefined();
  victim!.child.kill('SIGKILL');
  children.splice(children.indexOf(victim!), 1);
  children.push(await startChild('worker', env));

  // Restart Redis once (its append-only file keeps everything), further on.
  await waitFor(async () => (await checkpoint()) >= 10_000, { timeoutMs: 120_000, intervalMs: 20 });
  await server.stop();
  await new Promise((r) => setTimeout(r, 500));
  await server.start();

  archive.setMode('');
  await waitFor(async () => (await checkpoint()) >= RECORDS, { timeoutMs: 180_000, intervalMs: 100 });
  expect(await checkpoint()).toBe(archive.lastSeq);

  // Every record exactly once, by msgid, across the leads' timelines; nothing skipped, nothing parked.
  const seen = new Map<string, number>();
  for (const id of CUSTOMERS)
    for (const e of await store.getTimeline(id)) if (e.source === 'archive' && e.id.startsWith('archive:')) seen.set(e.id, (seen.get(e.id) ?? 0) + 1);
  expect(seen.size).toBe(RECORDS);
  expect([...seen.values()].every((n) => n === 1)).toBe(true);
  expect(msgids.every((m) => seen.has(`archive:${m}`))).toBe(true);
  const status = await state.status();
  expect(status.parked).toBe(0);
  // Calls from the archive were logged as calls: one per tenth record.
  const calls = (await Promise.all(CUSTOMERS.map((id) => store.getTimeline(id)))).flat().filter((e) => e.kind === 'call').length;
  expect(calls).toBe(RECORDS / 10);

  // No two GetChatData calls overlapped, across every process; at least two processes pulled.
  const log = archive.calls().sort((a, b) => a.startUs - b.startUs);
  for (let i = 1; i < log.length; i++) expect(log[i]!.startUs).toBeGreaterThanOrEqual(log[i - 1]!.endUs);
  expect(new Set(log.filter((c) => c.records > 0).map((c) => c.pid)).size).toBeGreaterThanOrEqual(2);
  redis.disconnect();
}, 300_000);
