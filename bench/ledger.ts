/**
 * bench:ledger — three numbers for the lead ledger on a real Redis:
 *  1. events applied per second (customer added + group events through src/app/ledger.ts, with an in-process
 *     directory so WeCom's latency is not measured), next to the same writes done as raw Redis commands;
 *  2. GET /api/leads latency with 100,000 and then 1,000,000 leads stored (page of 50; unfiltered, each filter, two
 *     filters), next to GET /healthz on the same server in the same run; the server is the real web process
 *     (servers/bot-web.ts) in a process of its own, the load generator (autocannon) in this one;
 *  3. Redis memory per lead (lead + 5 timeline entries + indexes), measured with INFO memory.
 */
import { Ledger } from '../src/app/ledger';
import type { CustomerDirectory, GroupSnapshot, MessageOutbox } from '../src/app/ports';
import { newLead, type BuyingState } from '../src/domain/lead';
import { DAY_MS } from '../src/domain/metrics';
import type { TimelineEntry } from '../src/domain/timeline';
import { createLogger } from '../src/log';
import { LedgerStore } from '../src/store/ledger-store';
import { createRedis, deleteByPrefix } from '../src/store/redis';
import { ActivityStore } from '../src/store/activity-store';
import { fmt, startServer } from './lib';
import { BENCH_ENV } from './servers/secrets';
import autocannon from 'autocannon';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
/** The list latencies are measured at each of these numbers of stored leads (seeded up to each in turn). */
const STEPS = (process.env.BENCH_LEADS ?? '100000,1000000').split(',').map(Number);
const EVENTS = Number(process.env.BENCH_EVENTS ?? 5_000);
/** Timed runs of the events (the median is reported, with every run's ratio). */
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const NOW = Date.now();
const log = createLogger('silent');

const directory: CustomerDirectory = {
  async getCustomer(id) {
    return {
      externalUserId: id,
      name: `客户${id.slice(-5)}`,
      company: '某公司',
      followers: [{ userId: `rep${id.length % 20}`, remark: undefined, state: '询价单', addedAt: NOW }],
    };
  },
  async getGroup(chatId): Promise<GroupSnapshot> {
    const n = Number(chatId.slice(2));
    return {
      chatId,
      owner: 'rep1',
      createdAt: NOW - DAY_MS,
      customers: [`wo${String(n).padStart(10, '0')}`, `wm${String(n).padStart(10, '0')}`],
      staff: ['rep1'],
    };
  },
  async listGroupIds() {
    return [];
  },
  async listCustomerIds() {
    return [];
  },
};
const outbox: MessageOutbox = { enqueue: async () => undefined, enqueueMany: async () => undefined };

async function applyEvents(prefix: string, events = EVENTS): Promise<{ seconds: number; baselineSeconds: number }> {
  const redis = createRedis(REDIS_URL, 'general');
  const store = new LedgerStore(redis, prefix);
  const invites = { joinCodeFor: async (chatId: string) => ({ configId: chatId, qrCode: `https://qr.example/${chatId}` }) };
  const ledger = new Ledger({
    store,
    directory,
    outbox,
    invites,
    activity: new ActivityStore(redis, prefix),
    clock: { now: () => NOW },
    sourceRules: [{ pattern: '询价', source: 'inquiry' }],
    log,
  });
  const ids = Array.from({ length: events }, (_, i) => `wo${String(i).padStart(10, '0')}`);
  const concurrency = 8; // the inbox worker's default
  /** Runs `apply` over ids[from, to), `concurrency` at a time; answers the seconds it took. */
  const timed = async (from: number, to: number, apply: (id: string, i: number) => Promise<void>) => {
    const t = performance.now();
    for (let i = from; i < to; i += concurrency) {
      await Promise.all(ids.slice(i, Math.min(i + concurrency, to)).map((id, j) => apply(id, i + j)));
    }
    return (performance.now() - t) / 1000;
  };
  const viaLedger = async (id: string, i: number) => {
    await ledger.customerAdded({ externalUserId: id, userId: 'rep1', state: '询价单', at: NOW - i, entryId: `added:${id}`, source: 'callback' });
    await ledger.groupEvent({ kind: 'external_chat', createTime: Math.floor(NOW / 1000), chatId: `wr${id.slice(2)}`, changeType: 'create' }, `ev-${id}`);
  };
  // Baseline: the minimum writes the same events need (lead JSON, two entries, group record), no reads, no logic.
  const raw = async (id: string) => {
    await redis.set(`${prefix}:raw:lead:${id}`, JSON.stringify(newLead({ id, name: id, owner: 'rep1', source: 'inquiry', createdAt: NOW })));
    await redis.hset(`${prefix}:raw:tle:${id}`, 'added', '{"kind":"added"}');
    await redis.zadd(`${prefix}:raw:tl:${id}`, NOW, 'added');
    await redis.set(`${prefix}:raw:group:${id}`, '{"chatId":"x"}');
    await redis.hset(`${prefix}:raw:tle:${id}`, 'group', '{"kind":"group_created"}');
    await redis.zadd(`${prefix}:raw:tl:${id}`, NOW, 'group');
  };
  // The two sides take turns, 500 events at a time, so a host that speeds up or slows down mid-run weighs on both.
  let seconds = 0;
  let baselineSeconds = 0;
  for (let from = 0; from < ids.length; from += 500) {
    const to = Math.min(from + 500, ids.length);
    seconds += await timed(from, to, viaLedger);
    baselineSeconds += await timed(from, to, raw);
  }
  redis.disconnect();
  return { seconds, baselineSeconds };
}

async function seed(prefix: string, from: number, to: number): Promise<{ bytesPerLead: number }> {
  const redis = createRedis(REDIS_URL, 'general');
  const store = new LedgerStore(redis, prefix);
  const before = Number(/used_memory:(\d+)/.exec(await redis.info('memory'))?.[1]);
  const states: BuyingState[] = ['unknown', 'exploring', 'price_check', 'benchmarking'];
  for (let i = from; i < to; i += 1000) {
    const batch = [];
    for (let j = i; j < Math.min(i + 1000, to); j++) {
      const id = `wo${String(j).padStart(12, '0')}`;
      const created = NOW - (j % 60) * DAY_MS;
      const lead = newLead({
        id,
        externalUserId: id,
        name: `客户${j}`,
        company: '某某科技有限公司',
        remark: `王总${j % 100}`,
        owner: `rep${j % 200}`,
        source: 'inquiry',
        createdAt: created,
        state: states[j % 4],
      });
      const entries: TimelineEntry[] = [
        { id: `added:${id}`, at: created, kind: 'added', source: 'callback', actor: lead.owner },
        { id: `c1:${id}`, at: created + DAY_MS, kind: 'customer_message', source: 'archive', actor: id, note: '方案收到了，我们内部再看看' },
        { id: `r1:${id}`, at: created + DAY_MS + 60_000, kind: 'rep_message', source: 'archive', actor: lead.owner, note: '好的，有问题随时找我' },
        { id: `call:${id}`, at: created + 2 * DAY_MS, kind: 'call', source: 'command', minutes: 15, outcome: 'talked', note: '方案下周三定' },
        { id: `st:${id}`, at: created + 2 * DAY_MS, kind: 'state_changed', source: 'command', from: 'unknown', to: lead.state },
      ];
      batch.push({ lead, entries });
    }
    await store.bulkLoad(batch);
  }
  const after = Number(/used_memory:(\d+)/.exec(await redis.info('memory'))?.[1]);
  redis.disconnect();
  return { bytesPerLead: (after - before) / (to - from) };
}

async function latency(port: number, path: string, token: string): Promise<{ p50: number; p99: number; rps: number; mean: number }> {
  const r = await autocannon({ url: `http://127.0.0.1:${port}${path}`, connections: 4, duration: 4, headers: { authorization: `Bearer ${token}` } });
  if (r.non2xx > 0) throw new Error(`${path}: ${r.non2xx} non-2xx answers`);
  return { p50: r.latency.p50, p99: r.latency.p99, rps: r.requests.average, mean: r.latency.average };
}

async function main() {
  const prefix = `bench-ledger-${process.pid}`;
  const cleanup = async () => {
    const r = createRedis(REDIS_URL, 'general');
    await deleteByPrefix(r, prefix);
    r.disconnect();
  };
  try {
    console.log(`applying ${fmt(EVENTS)} customers + ${fmt(EVENTS)} group events…`);
    // An untimed round warms the JIT and Redis for both sides; then ROUNDS timed ones, each ratio from its own run.
    await applyEvents(`${prefix}-warm`, Math.min(EVENTS, 1_000));
    const rounds: { seconds: number; baselineSeconds: number }[] = [];
    for (let r = 0; r < ROUNDS; r++) rounds.push(await applyEvents(`${prefix}-apply${r}`));
    const ratios = rounds.map((r) => r.baselineSeconds / r.seconds).sort((a, b) => a - b);
    const applied = [...rounds].sort((a, b) => a.baselineSeconds / a.seconds - b.baselineSeconds / b.seconds)[Math.floor(ROUNDS / 2)] as (typeof rounds)[0];
    const sections: string[] = [];
    let stored = 0;
    let bytesPerLead = 0;
    for (const step of STEPS) {
      console.log(`seeding leads ${fmt(stored)}–${fmt(step)} with 5 timeline entries each…`);
      const seeded = await seed(prefix, stored, step);
      if (stored === 0) bytesPerLead = seeded.bytesPerLead;
      stored = step;
      // The web process of a deployment, in a process of its own: not the one that seeded, not the load generator's.
      const web = await startServer('servers/bot-web.ts', { REDIS_URL, REDIS_PREFIX: prefix });
      try {
        const rows: [string, { p50: number; p99: number; rps: number; mean: number }][] = [];
        rows.push(['GET /healthz (baseline)', await latency(web.port, '/healthz', BENCH_ENV.ADMIN_TOKEN)]);
        for (const q of ['', '?owner=rep7', '?state=price_check', '?outcome=open', '?quietDays=30', '?owner=rep7&state=price_check'])
          rows.push([`GET /api/leads${q}`, await latency(web.port, `/api/leads${q}`, BENCH_ENV.ADMIN_TOKEN)]);
        const base = rows[0]?.[1].mean || 0.01;
        for (const [name, r] of rows)
          sections.push(`| ${fmt(stored)} | ${name} | ${r.mean.toFixed(2)} | ${r.p99} | ${fmt(r.rps)} | ${(r.mean / base).toFixed(1)} × |`);
      } finally {
        await web.stop();
      }
    }
    console.log('');
    console.log(`| ledger (${fmt(EVENTS)} events) | value | vs baseline |`);
    console.log('|---|---:|---:|');
    console.log(
      `| events applied per second (ledger, 8 at a time; median of ${ROUNDS} runs) | ${fmt((2 * EVENTS) / applied.seconds)} | ${(applied.baselineSeconds / applied.seconds).toFixed(2)} × raw writes (${fmt((2 * EVENTS) / applied.baselineSeconds)}/s); runs ${ratios.map((x) => x.toFixed(2)).join(', ')} |`,
    );
    console.log(`| Redis memory per lead (lead + 5 entries + indexes) | ${fmt(bytesPerLead)} bytes | |`);
    console.log('');
    console.log('| leads stored | request (page of 50) | mean ms | p99 ms | req/s | mean vs healthz |');
    console.log('|---:|---|---:|---:|---:|---:|');
    for (const line of sections) console.log(line);
  } finally {
    await cleanup();
  }
}
void main();
