/**
 * bench:signals — what reading the customer costs:
 *  1. messages read per second by the reader alone (jieba segmentation + lexicon + date reading), in this process;
 *  2. a 5,000-record chat-archive batch ingested without the reader and with it (signal entries, proposal requests
 *     written), on a real Redis, paired rounds in the same run, alternating which goes first; the ratio of the
 *     medians is the figure (goal ≤ 1.3×), with this process's CPU time per record for each.
 * The records are the labelled corpus's messages (test/fixtures/signals), from 500 customers already on the ledger.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ingestArchive } from '../src/app/archive-ingest';
import { CustomerSignals } from '../src/app/customer-signals';
import { newLead } from '../src/domain/lead';
import { LexiconReader } from '../src/domain/signals/reader';
import { LedgerStore } from '../src/store/ledger-store';
import { createRedis, deleteByPrefix } from '../src/store/redis';
import { jiebaSegmenter } from '../src/text/segmenter';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const RECORDS = Number(process.env.BENCH_RECORDS ?? 5_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const CUSTOMERS = 500;
const TZ = 'Asia/Shanghai';
const NOW = Date.now();

function corpus(): string[] {
  const dir = path.join(__dirname, '..', '..', 'test', 'fixtures', 'signals');
  const at = (f: string) => {
    for (const d of [dir, path.join(__dirname, '..', 'test', 'fixtures', 'signals')]) {
      try {
        return readFileSync(path.join(d, f), 'utf8');
      } catch {
        /* try the next */
      }
    }
    throw new Error(`no corpus file ${f}`);
  };
  return [...at('dev.tsv').split('\n'), ...at('eval.tsv').split('\n')]
    .filter((l) => l.trim() && !l.startsWith('#'))
    .map((l) => l.split('\t').slice(2).join('\t'));
}

const customer = (i: number) => `wo${String(i % CUSTOMERS).padStart(12, '0')}`;

function records(texts: string[], round: number) {
  return Array.from({ length: RECORDS }, (_, i) => ({
    msgid: `r${round}-${i}`,
    action: 'send',
    from: customer(i),
    tolist: ['rep1'],
    roomid: '',
    msgtime: NOW - (RECORDS - i) * 1000,
    msgtype: 'text',
    text: texts[i % texts.length] as string,
  }));
}

async function ingestRound(prefix: string, withReader: boolean, texts: string[], round: number): Promise<{ seconds: number; cpuMicros: number }> {
  const redis = createRedis(REDIS_URL, 'general');
  const store = new LedgerStore(redis, prefix);
  await store.bulkLoad(
    Array.from({ length: CUSTOMERS }, (_, i) => ({
      lead: newLead({ id: customer(i), externalUserId: customer(i), name: `客户${i}`, owner: 'rep1', source: 'inquiry', createdAt: NOW - 86_400_000 }),
      entries: [],
    })),
  );
  const signals = withReader ? new CustomerSignals({ store, reader: new LexiconReader(jiebaSegmenter), timeZone: TZ }) : undefined;
  const batch = records(texts, round);
  global.gc?.();
  const cpu = process.cpuUsage();
  const t = performance.now();
  const result = await ingestArchive(store, batch, signals);
  const seconds = (performance.now() - t) / 1000;
  const used = process.cpuUsage(cpu);
  if (result.accepted !== RECORDS) throw new Error(`accepted ${result.accepted} of ${RECORDS}`);
  await deleteByPrefix(redis, prefix);
  redis.disconnect();
  return { seconds, cpuMicros: used.user + used.system };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

async function main() {
  const texts = corpus();
  // 1. The reader alone.
  const reader = new LexiconReader(jiebaSegmenter);
  reader.read('预热', NOW, TZ); // loads jieba's dictionary once
  const n = 20_000;
  const t = performance.now();
  let found = 0;
  for (let i = 0; i < n; i++) found += reader.read(texts[i % texts.length] as string, NOW, TZ).length;
  const readPerSecond = n / ((performance.now() - t) / 1000);
  console.log(
    `reader alone: ${Math.round(readPerSecond).toLocaleString('en')} messages/s (${(1e6 / readPerSecond).toFixed(0)} µs each; ${(found / n).toFixed(2)} signals per message)`,
  );

  // 2. The archive batch without and with the reader, paired rounds.
  const plain: number[] = [];
  const read: number[] = [];
  const cpuPlain: number[] = [];
  const cpuRead: number[] = [];
  await ingestRound(`bench-sig-warm-${process.pid}`, true, texts, -1); // warm-up, untimed
  for (let r = 0; r < ROUNDS; r++) {
    const order = r % 2 === 0 ? [false, true] : [true, false];
    for (const withReader of order) {
      const x = await ingestRound(`bench-sig-${process.pid}-${r}-${withReader ? 'r' : 'p'}`, withReader, texts, r);
      (withReader ? read : plain).push(x.seconds);
      (withReader ? cpuRead : cpuPlain).push(x.cpuMicros / RECORDS);
    }
    console.log(`round ${r + 1}: without reader ${plain.at(-1)?.toFixed(2)} s, with reader ${read.at(-1)?.toFixed(2)} s`);
  }
  const ratio = median(read) / median(plain);
  console.log(
    `archive batch of ${RECORDS.toLocaleString('en')} records: without reader ${median(plain).toFixed(2)} s (${Math.round(RECORDS / median(plain)).toLocaleString('en')}/s, ${median(cpuPlain).toFixed(0)} µs CPU/record), ` +
      `with reader ${median(read).toFixed(2)} s (${Math.round(RECORDS / median(read)).toLocaleString('en')}/s, ${median(cpuRead).toFixed(0)} µs CPU/record)`,
  );
  console.log(`ratio ${ratio.toFixed(2)}× (goal ≤ 1.3×; rounds: ${read.map((x, i) => (x / (plain[i] as number)).toFixed(2)).join(', ')})`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
