/**
 * bench:sweep — a nudge sweep over 100,000 stored leads with 5,000 due, then with 50,000 due: seconds and nudges per
 * second through src/app/nudger.ts (real Redis, real BullMQ send queue), next to a raw baseline measured in the same
 * run: ZRANGEBYSCORE over the same due index + BullMQ addBulk of the same number of jobs. The second row shows
 * whether the cost follows the due leads, not the total.
 */
import { DateTime } from 'luxon';
import Redis from 'ioredis';
import { Queue } from 'bullmq';
import { Nudger } from '../src/app/nudger';
import { ManualClock } from '../src/domain/clock';
import { newLead } from '../src/domain/lead';
import { DAY_MS } from '../src/domain/metrics';
import { readEnvOptions } from '../src/config/env';
import { nudgeSettings } from '../src/main/worker';
import { SendQueue } from '../src/jobs/send-queue';
import { createLogger } from '../src/log';
import { LedgerStore } from '../src/store/ledger-store';
import { NudgeStore } from '../src/store/nudge-store';
import { createRedis, deleteByPrefix } from '../src/store/redis';
import { bullPrefix } from '../src/jobs/names';
import { fmt } from './lib';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const TOTAL = Number(process.env.BENCH_LEADS ?? 100_000);
const wednesday = DateTime.fromISO('2026-11-25T10:00:00', { zone: 'Asia/Shanghai' }).toMillis();
// The shipped policy (config/app.json), as a deployment would run it.
const settings = nudgeSettings(
  readEnvOptions({ WECOM_CORP_ID: 'wwbench', WECOM_AGENT_ID: '1', WECOM_SECRET: 's', WECOM_TOKEN: 't', WECOM_AES_KEY: 'jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C', ADMIN_TOKEN: 'bench-admin-token-000000' }),
);

async function run(due: number): Promise<{ seconds: number; sent: number; baseline: number }> {
  const prefix = `bench-sweep-${process.pid}-${due}`;
  const redis = createRedis(REDIS_URL, 'general');
  const clock = new ManualClock(wednesday);
  const store = new LedgerStore(redis, prefix, clock);
  try {
    for (let i = 0; i < TOTAL; i += 2000) {
      const batch = [];
      for (let j = i; j < Math.min(i + 2000, TOTAL); j++) {
        const id = `wo${String(j).padStart(12, '0')}`;
        batch.push({ lead: newLead({ id, externalUserId: id, name: `客户${j}`, owner: `rep${j % 200}`, source: 'inquiry', createdAt: wednesday - 10 * DAY_MS }), entries: [] });
      }
      await store.bulkLoad(batch);
      const p = redis.pipeline();
      for (const { lead } of batch) p.zadd(`${prefix}:idx:due`, Number(lead.id.slice(2)) < due ? wednesday - 60_000 : wednesday + DAY_MS, lead.id);
      await p.exec();
    }
    const outbox = new SendQueue(redis, prefix);
    const nudger = new Nudger({
      store,
      nudges: new NudgeStore(redis, prefix),
      outbox,
      meetings: { book: async () => ({ meetingId: 'x' }) },
      cards: { markDone: async () => undefined },
      managers: { managerOf: async () => undefined },
      clock,
      settings,
      dailyCapPerRep: 10_000,
      escalateAfterIgnored: 3,
      log: createLogger('silent'),
    });
    let t = performance.now();
    let sent = 0;
    for (;;) {
      const r = await nudger.sweep(500);
      sent += r.sent;
      if (r.checked < 500) break;
    }
    const seconds = (performance.now() - t) / 1000;
    await outbox.close();

    // Baseline: read the same due ids and add the same number of jobs with addBulk.
    const queue = new Queue('baseline', { connection: redis, prefix: bullPrefix(`${prefix}-raw`) });
    t = performance.now();
    for (let offset = 0; ; offset += 500) {
      const ids = await redis.zrangebyscore(`${prefix}:idx:due`, '-inf', wednesday + DAY_MS, 'LIMIT', offset, 500);
      if (ids.length === 0) break;
      const dueIds = ids.filter((id) => Number(id.slice(2)) < due);
      if (dueIds.length) await queue.addBulk(dueIds.map((id) => ({ name: 'send', data: { key: `nudge:${id}`, touser: 'rep', body: { msgtype: 'text', text: { content: 'x'.repeat(200) } } }, opts: { jobId: `b-${id}` } })));
      if (offset / 500 > due / 500 + 1) break;
    }
    const baseline = (performance.now() - t) / 1000;
    await queue.close();
    return { seconds, sent, baseline };
  } finally {
    await deleteByPrefix(redis, prefix);
    await deleteByPrefix(redis, `${prefix}-raw`);
    redis.disconnect();
  }
}

async function main() {
  console.log(`| sweep over ${fmt(TOTAL)} leads | seconds | nudges/s | baseline (scan + addBulk) s | ratio sweep / baseline |`);
  console.log('|---|---:|---:|---:|---:|');
  for (const due of [5_000, 50_000]) {
    const r = await run(due);
    console.log(`| ${fmt(due)} due | ${r.seconds.toFixed(2)} | ${fmt(r.sent / r.seconds)} | ${r.baseline.toFixed(2)} | ${(r.seconds / r.baseline).toFixed(1)} × |`);
    if (r.sent !== due) {
      console.log(`expected ${due} nudges, sent ${r.sent}`);
      process.exitCode = 1;
    }
  }
  const r = new Redis(REDIS_URL);
  r.disconnect();
}
void main();
