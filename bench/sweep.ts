/**
 * bench:sweep — a nudge sweep over 100,000 stored leads with 5,000 due, then with 50,000 due: seconds and nudges per
 * second through src/app/nudger.ts (real Redis, real BullMQ send queue), next to a raw baseline measured in the same
 * run: ZRANGEBYSCORE over the same due index, 500 at a time, + BullMQ addBulk of the same jobs (the cards the sweep
 * enqueued, with the same job options) into a fresh queue. What the ratio prices is what the sweep adds to that
 * floor: loading leads and timelines, the policy, the daily allowance, the timeline entries and next-check times.
 * The second row shows whether the cost follows the due leads, not the total; the third, at 1,000,000 stored, that it
 * does at that size. The sweep and its floor run in a process of their own, as a worker would (servers/sweeper.ts),
 * and take turns 500 leads at a time; this process seeds and cleans up. An untimed round first warms the JIT and
 * Redis for both sides.
 */
import { newLead } from '../src/domain/lead';
import { DAY_MS } from '../src/domain/metrics';
import { LedgerStore } from '../src/store/ledger-store';
import { ManualClock } from '../src/domain/clock';
import { createRedis, deleteByPrefix, type RedisClient } from '../src/store/redis';
import { fmt, startServer, type ServerHandle } from './lib';
import { rawDueKey, SWEEP_AT, type SweepRun } from './servers/sweep-common';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const TOTAL = Number(process.env.BENCH_LEADS ?? 100_000);
/** The same 50,000-due sweep with this many leads stored: the sweep's cost must follow the due leads, not the total. */
const BIG = Number(process.env.BENCH_LEADS_BIG ?? 1_000_000);
const PREFIX = `bench-sweep-${process.pid}`;

/** Seeds `total` leads of which `due` are due at SWEEP_AT (and the floor's copy of the due index). */
async function seed(redis: RedisClient, total: number, due: number): Promise<void> {
  const store = new LedgerStore(redis, PREFIX, new ManualClock(SWEEP_AT));
  for (let i = 0; i < total; i += 2000) {
    const batch = [];
    for (let j = i; j < Math.min(i + 2000, total); j++) {
      const id = `wo${String(j).padStart(12, '0')}`;
      batch.push({
        lead: newLead({ id, externalUserId: id, name: `客户${j}`, owner: `rep${j % 200}`, source: 'inquiry', createdAt: SWEEP_AT - 10 * DAY_MS }),
        entries: [],
      });
    }
    await store.bulkLoad(batch);
    const p = redis.pipeline();
    for (const { lead } of batch) p.zadd(`${PREFIX}:{idx}:due`, Number(lead.id.slice(2)) < due ? SWEEP_AT - 60_000 : SWEEP_AT + DAY_MS, lead.id);
    await p.exec();
  }
  const copy = redis.pipeline();
  for (let j = 0; j < due; j++) copy.zadd(rawDueKey(PREFIX), SWEEP_AT - 60_000, `wo${String(j).padStart(12, '0')}`);
  await copy.exec();
}

/** Seeds, has the sweeper process sweep (timed there), removes everything the run wrote. */
async function run(redis: RedisClient, sweeper: ServerHandle, total: number, due: number): Promise<SweepRun> {
  try {
    await seed(redis, total, due);
    return await sweeper.ask<SweepRun>('run', 'run');
  } finally {
    await deleteByPrefix(redis, PREFIX);
    await deleteByPrefix(redis, `${PREFIX}-raw`);
  }
}

async function main() {
  const redis = createRedis(REDIS_URL, 'general');
  const sweeper = await startServer('servers/sweeper.ts', { BENCH_PREFIX: PREFIX, REDIS_URL });
  try {
    await run(redis, sweeper, 20_000, 10_000); // warm-up, not reported
    console.log(`| sweep | seconds | nudges/s | baseline (scan + addBulk) s | ratio sweep / baseline |`);
    console.log('|---|---:|---:|---:|---:|');
    const runs: Record<string, SweepRun> = {};
    for (const [total, due] of [[TOTAL, 5_000], [TOTAL, 50_000], ...(BIG > TOTAL ? [[BIG, 50_000]] : [])] as [number, number][]) {
      const r = await run(redis, sweeper, total, due);
      runs[`${total}/${due}`] = r;
      // The floor does not read the stored leads, so how much slower the host and Redis were in this run shows in it;
      // the sweep's cost per unit of floor is what the stored total may change.
      const small = runs[`${TOTAL}/${due}`] ?? r;
      const vs =
        total !== TOTAL
          ? ` (${(r.seconds / small.seconds).toFixed(2)} × the ${fmt(TOTAL)}-stored sweep; ${(r.seconds / r.baseline / (small.seconds / small.baseline)).toFixed(2)} × per unit of floor)`
          : '';
      console.log(
        `| ${fmt(due)} due of ${fmt(total)} stored | ${r.seconds.toFixed(2)}${vs} | ${fmt(r.sent / r.seconds)} | ${r.baseline.toFixed(2)} | ${(r.seconds / r.baseline).toFixed(1)} × |`,
      );
      if (r.sent !== due) {
        console.log(`expected ${due} nudges, sent ${r.sent}`);
        process.exitCode = 1;
      }
    }
  } finally {
    await sweeper.stop();
    redis.disconnect();
  }
}
void main();
