/**
 * bench:sweep — a nudge sweep over 100,000 stored leads with 5,000 due, then with 50,000 due: seconds and nudges per
 * second through src/app/nudger.ts (real Redis, real BullMQ send queue), next to a raw baseline measured in the same
 * run: ZRANGEBYSCORE over the same due index, 500 at a time, + BullMQ addBulk of the same jobs (the cards the sweep
 * enqueued, with the same job options) into a fresh queue. What the ratio prices is what the sweep adds to that
 * floor: loading leads and timelines, the policy, the daily allowance, the timeline entries and next-check times.
 * The second row shows whether the cost follows the due leads, not the total. A small untimed round first warms the
 * JIT and Redis for both sides; then the sweep and its floor take turns, 500 leads at a time.
 */
import { DateTime } from 'luxon';
import { Queue } from 'bullmq';
import { Nudger } from '../src/app/nudger';
import { ManualClock } from '../src/domain/clock';
import { newLead } from '../src/domain/lead';
import { DAY_MS } from '../src/domain/metrics';
import { readEnvOptions } from '../src/config/env';
import { nudgeSettings } from '../src/main/worker';
import { SendQueue } from '../src/jobs/send-queue';
import type { OutboundMessage } from '../src/app/ports';
import { createLogger } from '../src/log';
import { LedgerStore } from '../src/store/ledger-store';
import { NudgeStore } from '../src/store/nudge-store';
import { RedisBoardProjection } from '../src/store/board-projection';
import { ActivityStore } from '../src/store/activity-store';
import { createRedis, deleteByPrefix } from '../src/store/redis';
import { bullPrefix } from '../src/jobs/names';
import { fmt } from './lib';
import { BENCH_ENV } from './servers/secrets';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const TOTAL = Number(process.env.BENCH_LEADS ?? 100_000);
/** The same 50,000-due sweep with this many leads stored: the sweep's cost must follow the due leads, not the total. */
const BIG = Number(process.env.BENCH_LEADS_BIG ?? 1_000_000);
const wednesday = DateTime.fromISO('2026-11-25T10:00:00', { zone: 'Asia/Shanghai' }).toMillis();
// The shipped policy (config/app.json), as a deployment would run it.
const settings = nudgeSettings(readEnvOptions(BENCH_ENV));

async function run(total: number, due: number): Promise<{ seconds: number; sent: number; baseline: number }> {
  const prefix = `bench-sweep-${process.pid}-${total}-${due}`;
  const redis = createRedis(REDIS_URL, 'general');
  const clock = new ManualClock(wednesday);
  const store = new LedgerStore(redis, prefix, clock);
  try {
    for (let i = 0; i < total; i += 2000) {
      const batch = [];
      for (let j = i; j < Math.min(i + 2000, total); j++) {
        const id = `wo${String(j).padStart(12, '0')}`;
        batch.push({
          lead: newLead({ id, externalUserId: id, name: `客户${j}`, owner: `rep${j % 200}`, source: 'inquiry', createdAt: wednesday - 10 * DAY_MS }),
          entries: [],
        });
      }
      await store.bulkLoad(batch);
      const p = redis.pipeline();
      for (const { lead } of batch) p.zadd(`${prefix}:{idx}:due`, Number(lead.id.slice(2)) < due ? wednesday - 60_000 : wednesday + DAY_MS, lead.id);
      await p.exec();
    }
    const queue = new SendQueue(redis, prefix);
    const jobs: OutboundMessage[] = [];
    const outbox = {
      enqueue: (m: OutboundMessage) => queue.enqueue(m),
      enqueueMany: (ms: OutboundMessage[]) => (jobs.push(...ms), queue.enqueueMany(ms)),
    };
    const board = new RedisBoardProjection(redis, prefix);
    const nudger = new Nudger({
      store,
      nudges: new NudgeStore(redis, prefix),
      outbox,
      managers: { managerOf: async () => undefined, nameOf: async (u: string) => u },
      activity: new ActivityStore(redis, prefix),
      board, // as in production (the board's rows are computed by their own job, not in the sweep)
      clock,
      settings,
      dailyCapPerRep: 10_000,
      escalateAfterIgnored: 3,
      log: createLogger('silent'),
    });
    // Baseline: read the due ids from a copy of the index as it was (500 at a time) and add the same jobs with addBulk.
    const raw = new Queue<OutboundMessage>('send', { connection: redis, prefix: bullPrefix(`${prefix}-raw`) });
    const copy = redis.pipeline();
    for (let j = 0; j < due; j++) copy.zadd(`${prefix}-raw:{idx}:due`, wednesday - 60_000, `wo${String(j).padStart(12, '0')}`);
    await copy.exec();
    // The sweep and its floor take turns, a batch of 500 each, so both run on a Redis and a host in the same state
    // (the first batches after seeding 100,000 leads are slower for both); timing starts from a collected heap.
    (globalThis as { gc?: () => void }).gc?.();
    let seconds = 0;
    let baseline = 0;
    let sent = 0;
    for (let offset = 0; ; offset += 500) {
      const from = jobs.length;
      let t = performance.now();
      const r = await nudger.sweep(500);
      seconds += (performance.now() - t) / 1000;
      sent += r.sent;
      const bulk = jobs.slice(from).map((m) => ({ name: 'send', data: m, opts: SendQueue.jobOptions(m.key) }));
      t = performance.now();
      const ids = await redis.zrangebyscore(`${prefix}-raw:{idx}:due`, '-inf', wednesday, 'LIMIT', offset, 500);
      if (ids.length > 0) await raw.addBulk(bulk.slice(0, ids.length));
      baseline += (performance.now() - t) / 1000;
      if (r.checked < 500) break;
    }
    await queue.close();
    await raw.close();
    return { seconds, sent, baseline };
  } finally {
    await deleteByPrefix(redis, prefix);
    await deleteByPrefix(redis, `${prefix}-raw`);
    redis.disconnect();
  }
}

async function main() {
  await run(5_000, 2_000); // warm-up, not reported
  console.log(`| sweep | seconds | nudges/s | baseline (scan + addBulk) s | ratio sweep / baseline |`);
  console.log('|---|---:|---:|---:|---:|');
  const seconds: Record<string, number> = {};
  for (const [total, due] of [[TOTAL, 5_000], [TOTAL, 50_000], ...(BIG > TOTAL ? [[BIG, 50_000]] : [])] as [number, number][]) {
    const r = await run(total, due);
    seconds[`${total}/${due}`] = r.seconds;
    const vs = total !== TOTAL ? ` (${(r.seconds / (seconds[`${TOTAL}/${due}`] ?? r.seconds)).toFixed(2)} × the ${fmt(TOTAL)}-stored sweep)` : '';
    console.log(
      `| ${fmt(due)} due of ${fmt(total)} stored | ${r.seconds.toFixed(2)}${vs} | ${fmt(r.sent / r.seconds)} | ${r.baseline.toFixed(2)} | ${(r.seconds / r.baseline).toFixed(1)} × |`,
    );
    if (r.sent !== due) {
      console.log(`expected ${due} nudges, sent ${r.sent}`);
      process.exitCode = 1;
    }
  }
}
void main();
