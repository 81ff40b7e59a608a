/**
 * bench:archive — the chat-archive puller's throughput on the stub of WeCom's SDK, through koffi, on a real Redis:
 *  - the floor: GetChatData in batches of 1,000, RSA-opening each record's random key and DecryptData — what any
 *    puller must do, nothing of ours;
 *  - the whole path: the puller itself (lease, checkpoint, parking check, the customer-text reader, the ledger's
 *    batched writes) catching up on the same backlog of BENCH_ARCHIVE_RECORDS records (100,000 by default);
 * measured in the same run (floor, whole path, floor again), with this process's CPU and Redis's per record.
 * Goals: the whole path at least 0.5 × the floor, and the backlog caught up in under 2 minutes.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ArchivePuller } from '../src/app/archive-puller';
import { ingestArchive } from '../src/app/archive-ingest';
import { CustomerSignals } from '../src/app/customer-signals';
import { newLead } from '../src/domain/lead';
import { LexiconReader } from '../src/domain/signals/reader';
import { createLogger } from '../src/log';
import { RedisArchiveState } from '../src/store/archive-state';
import { LedgerStore } from '../src/store/ledger-store';
import { createRedis, deleteByPrefix } from '../src/store/redis';
import { jiebaSegmenter } from '../src/text/segmenter';
import { ArchiveKeys } from '../src/wecom/archive-keys';
import { FinanceSdk } from '../src/wecom/finance-sdk';
import { archiveMessages, pointStubAt, SandboxArchive, stubSdkPath } from '../tools/sandbox/archive';
import { fmt, procCpuMicros } from './lib';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const RECORDS = Number(process.env.BENCH_ARCHIVE_RECORDS ?? 100_000);
const CUSTOMERS = 1000;
const TZ = 'Asia/Shanghai';
const NOW = Date.now();
const SECRET = 'bench-archive-secret';
const TEXTS = [
  '好的，收到',
  '报价单发我一份',
  '我们下周三开会定，到时候再说',
  '你们和某某家比有什么优势？',
  '领导还在看，先不急',
  '方案可以，价格能不能再低一点',
  '明天下午三点方便通个电话吗',
  '我把采购的同事拉进来',
];
const customer = (i: number) => `wo${String(i).padStart(14, '0')}`;

/** A backlog of RECORDS messages from CUSTOMERS customers to their rep: one in ten a WeCom call, the rest texts. */
function writeBacklog(archive: SandboxArchive): void {
  for (let start = 0; start < RECORDS; start += 5000) {
    const batch = Array.from({ length: Math.min(5000, RECORDS - start) }, (_, j) => {
      const n = start + j;
      const c = customer(n % CUSTOMERS);
      const at = NOW - (RECORDS - n) * 1000;
      return n % 10 === 9
        ? archiveMessages.call({ user: 'rep1', external: c, minutes: 5, at, msgid: `bench-${n}` })
        : archiveMessages.text({ from: c, to: ['rep1'], text: TEXTS[n % TEXTS.length] as string, at, msgid: `bench-${n}` });
    });
    archive.append(batch);
  }
}

/** The floor: pull, open the random key, DecryptData, parse — every record, nothing else. */
async function floor(sdk: FinanceSdk, keys: ArchiveKeys): Promise<number> {
  const t = performance.now();
  let seq = 0;
  let n = 0;
  for (;;) {
    const answer = await sdk.getChatData(seq, 1000, 5);
    if (answer.ret !== 0 || answer.text === undefined) throw new Error(`GetChatData ${answer.ret}`);
    const items = (JSON.parse(answer.text) as { chatdata?: { seq: number; publickey_ver: number; encrypt_random_key: string; encrypt_chat_msg: string }[] })
      .chatdata;
    if (!items?.length) break;
    for (const it of items) {
      const key = keys.open(it.publickey_ver, it.encrypt_random_key);
      if (!key.ok) throw new Error(key.reason);
      const plain = sdk.decryptData(key.key, it.encrypt_chat_msg);
      if (plain.ret !== 0 || !plain.text) throw new Error(`DecryptData ${plain.ret}`);
      JSON.parse(plain.text);
      n++;
    }
    seq = items[items.length - 1]!.seq;
  }
  if (n !== RECORDS) throw new Error(`floor read ${n} of ${RECORDS}`);
  return (performance.now() - t) / 1000;
}

/** The puller catching up on the backlog, from checkpoint 0, on a fresh prefix. */
async function whole(sdk: FinanceSdk, keys: ArchiveKeys, redisPid: number): Promise<{ seconds: number; cpuMicros: number; redisMicros: number }> {
  const redis = createRedis(REDIS_URL, 'general');
  const prefix = `bench-archive-${process.pid}`;
  await deleteByPrefix(redis, prefix);
  const store = new LedgerStore(redis, prefix);
  await store.bulkLoad(
    Array.from({ length: CUSTOMERS }, (_, i) => ({
      lead: newLead({ id: customer(i), externalUserId: customer(i), name: `客户${i}`, owner: 'rep1', source: 'inquiry', createdAt: NOW - 30 * 86_400_000 }),
      entries: [],
    })),
  );
  const signals = new CustomerSignals({ store, reader: new LexiconReader(jiebaSegmenter), timeZone: TZ });
  signals.entriesFor({ id: 'warm', at: NOW, kind: 'customer_message', source: 'archive' }, '预热'); // loads jieba's dictionary
  const state = new RedisArchiveState(redis, prefix);
  const puller = new ArchivePuller({
    sdk,
    keys,
    state,
    apply: (records) => ingestArchive(store, records, signals),
    clock: { now: () => Date.now() },
    log: createLogger('silent'),
    owner: `bench:${process.pid}`,
    settings: {
      limit: 1000,
      timeoutSeconds: 5,
      pullEveryMs: 3_600_000,
      leaseMs: 30_000,
      retentionMs: 5 * 86_400_000,
      maxBackoffMs: 1000,
      stoppedRetryMs: 1000,
    },
  });
  const cpu = process.cpuUsage();
  const redisBefore = procCpuMicros(redisPid);
  const t = performance.now();
  puller.start();
  while ((await state.checkpoint()) < RECORDS) await new Promise((r) => setTimeout(r, 20));
  const seconds = (performance.now() - t) / 1000;
  const used = process.cpuUsage(cpu);
  const redisMicros = procCpuMicros(redisPid) - redisBefore;
  await puller.stop();
  const s = await state.status();
  if (s.applied !== RECORDS || s.parked !== 0) throw new Error(`applied ${s.applied}, parked ${s.parked}`);
  await deleteByPrefix(redis, prefix);
  redis.disconnect();
  return { seconds, cpuMicros: used.user + used.system, redisMicros };
}

async function main() {
  const dir = mkdtempSync(path.join(tmpdir(), 'wf-bench-archive-'));
  try {
    const archive = new SandboxArchive(dir);
    archive.requireSecret(SECRET);
    pointStubAt(dir);
    let t = performance.now();
    writeBacklog(archive);
    console.log(`backlog: ${fmt(RECORDS)} records written by the sandbox in ${((performance.now() - t) / 1000).toFixed(1)} s`);
    const sdk = new FinanceSdk(stubSdkPath(), 'wwbench', SECRET);
    const keys = new ArchiveKeys(archive.keysDir);
    const info = createRedis(REDIS_URL, 'general');
    const redisPid = Number(/process_id:(\d+)/.exec(await info.info('server'))?.[1] ?? 0);
    info.disconnect();
    t = performance.now();
    const floor1 = await floor(sdk, keys);
    const path1 = await whole(sdk, keys, redisPid);
    const floor2 = await floor(sdk, keys);
    const floorSeconds = (floor1 + floor2) / 2;
    const rate = (s: number) => RECORDS / s;
    console.log(`floor (GetChatData + RSA + DecryptData): ${fmt(rate(floor1))} and ${fmt(rate(floor2))} records/s`);
    console.log(
      `whole path (the puller: pull, open, read, apply, checkpoint): ${fmt(rate(path1.seconds))} records/s; ` +
        `${(path1.cpuMicros / RECORDS).toFixed(0)} µs CPU/record here, ${(path1.redisMicros / RECORDS).toFixed(0)} µs in Redis`,
    );
    const ratio = rate(path1.seconds) / rate(floorSeconds);
    console.log(`ratio ${ratio.toFixed(2)} × the floor (goal ≥ 0.5)`);
    console.log(`backlog of ${fmt(RECORDS)} caught up in ${path1.seconds.toFixed(1)} s (goal < 120 s)`);
    sdk.close();
    if (ratio < 0.5 || path1.seconds >= 120) process.exitCode = 1;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
