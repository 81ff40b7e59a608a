/**
 * The sweeping side of bench:sweep, in a process of its own as a deployment's worker is: one Redis connection, the
 * stores, the send queue and the nudger, made once and used by every run. The bench's main process seeds the leads
 * (and removes them) so none of the seeding's garbage, or V8 discarding optimised code when that garbage is collected,
 * lands in the timed sweeps. On `'run'` it sweeps what is due, taking turns with its raw floor 500 leads at a
 * time, and answers `{ seconds, baseline, sent }`. `BENCH_TRACE=1` prints the running totals after every batch (stderr).
 */
import { Queue } from 'bullmq';
import { Nudger } from '../../src/app/nudger';
import { ManualClock } from '../../src/domain/clock';
import { readEnvOptions } from '../../src/config/env';
import { nudgeSettings } from '../../src/main/worker';
import { SendQueue } from '../../src/jobs/send-queue';
import type { OutboundMessage } from '../../src/app/ports';
import { createLogger } from '../../src/log';
import { LedgerStore } from '../../src/store/ledger-store';
import { NudgeStore } from '../../src/store/nudge-store';
import { RedisBoardProjection } from '../../src/store/board-projection';
import { ActivityStore } from '../../src/store/activity-store';
import { createRedis } from '../../src/store/redis';
import { bullPrefix } from '../../src/jobs/names';
import { serveBenchIpc } from '../lib';
import { BENCH_ENV } from './secrets';
import { rawDueKey, SWEEP_AT, type SweepRun } from './sweep-common';

function main() {
  const prefix = process.env.BENCH_PREFIX ?? 'bench-sweep';
  const redis = createRedis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', 'general');
  const clock = new ManualClock(SWEEP_AT);
  const queue = new SendQueue(redis, prefix);
  const jobs: OutboundMessage[] = [];
  const nudger = new Nudger({
    store: new LedgerStore(redis, prefix, clock),
    nudges: new NudgeStore(redis, prefix),
    outbox: {
      enqueue: (m: OutboundMessage) => queue.enqueue(m),
      enqueueMany: (ms: OutboundMessage[]) => (jobs.push(...ms), queue.enqueueMany(ms)),
    },
    managers: { managerOf: async () => undefined, nameOf: async (u: string) => u },
    activity: new ActivityStore(redis, prefix),
    board: new RedisBoardProjection(redis, prefix), // as in production (the board's rows are computed by their own job)
    clock,
    settings: nudgeSettings(readEnvOptions(BENCH_ENV)), // the shipped policy (config/app.json)
    dailyCapPerRep: 10_000,
    escalateAfterIgnored: 3,
    log: createLogger('silent'),
  });
  // The floor: read the due ids from the copy of the index (500 at a time) and add the same jobs with addBulk.
  const raw = new Queue<OutboundMessage>('send', { connection: redis, prefix: bullPrefix(`${prefix}-raw`) });

  async function run(): Promise<SweepRun> {
    jobs.length = 0;
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
      const ids = await redis.zrangebyscore(rawDueKey(prefix), '-inf', SWEEP_AT, 'LIMIT', offset, 500);
      if (ids.length > 0) await raw.addBulk(bulk.slice(0, ids.length));
      baseline += (performance.now() - t) / 1000;
      if (process.env.BENCH_TRACE)
        console.error(
          `batch ${offset / 500}: sweep ${(seconds * 1000).toFixed(0)} floor ${(baseline * 1000).toFixed(0)} cpu ${(process.cpuUsage().user / 1000).toFixed(0)}`,
        );
      if (r.checked < 500) break;
    }
    return { seconds, baseline, sent };
  }

  process.on('message', (m) => {
    if (m === 'run') {
      run().then(
        (r) => process.send?.({ run: r }),
        (err: Error) => process.send?.({ error: err.message }),
      );
    }
  });
  serveBenchIpc(async () => {
    await queue.close();
    await raw.close();
    redis.disconnect();
  });
  process.send?.({ port: 0 });
}
main();
