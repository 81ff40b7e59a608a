/**
 * The leads the board and sidebar benchmarks read: REPS reps × PER_REP leads with a few weeks of timeline each, and
 * the latency measure both use (GETs with a session cookie, IN_FLIGHT at a time over keep-alive).
 */
import http from 'node:http';
import { ManualClock } from '../src/domain/clock';
import { newLead, type BuyingState } from '../src/domain/lead';
import { DAY_MS } from '../src/domain/metrics';
import type { TimelineEntry } from '../src/domain/timeline';
import { LedgerStore } from '../src/store/ledger-store';
import { createRedis } from '../src/store/redis';

export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
export const REPS = Number(process.env.BENCH_REPS ?? 100);
export const PER_REP = Number(process.env.BENCH_LEADS_PER_REP ?? 1_000);
export const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 400);
export const IN_FLIGHT = 4;
const STATES = ['unknown', 'exploring', 'price_check', 'benchmarking'] as const satisfies readonly BuyingState[];
const stateOf = (i: number): BuyingState => STATES[i % 4] as BuyingState;
export const rep = (i: number) => `rep${String(i).padStart(3, '0')}`;
export const leadId = (i: number) => `wo${String(i).padStart(12, '0')}`;

/** A lead's timeline of a few weeks: arrived, positioned, calls, customer messages, a meeting, nudges acted on or not. */
function timelineOf(id: string, owner: string, i: number, now: number): TimelineEntry[] {
  const day = (d: number) => now - d * DAY_MS - (i % 600) * 60_000;
  const e: TimelineEntry[] = [{ id: `added:${id}`, at: day(40), kind: 'added', source: 'callback', actor: owner }];
  if (i % 4 !== 0) e.push({ id: `st:${id}`, at: day(35), kind: 'state_changed', source: 'command', actor: owner, from: 'unknown', to: stateOf(i) });
  for (let w = 0; w < 6; w++)
    if ((i + w) % 3 !== 0)
      e.push({ id: `c${w}:${id}`, at: day(2 + w * 7), kind: 'call', source: 'command', actor: owner, minutes: 10 + (i % 20), outcome: 'talked' });
  for (let m = 0; m < 3; m++)
    e.push({ id: `m${m}:${id}`, at: day(3 + m * 9 + (i % 5)), kind: 'customer_message', source: 'archive', actor: id, note: '价格大概多少，我们在比较几家' });
  if (i % 5 === 0) e.push({ id: `h:${id}`, at: day(12), kind: 'meeting_held', source: 'reconcile', actor: owner, minutes: 45, customerAttendees: 1 + (i % 3) });
  if (i % 7 === 0) e.push({ id: `p:${id}`, at: day(9), kind: 'proposal_requested', source: 'archive', actor: id });
  for (let n = 0; n < 2; n++) {
    const nudgeId = `quiet:${id}:${n}`;
    e.push({ id: `n${n}:${id}`, at: day(6 + n * 10), kind: 'nudge_sent', source: 'api', nudgeId, nudgeKind: n ? 'weekly_call' : 'quiet' });
    if ((i + n) % 2) e.push({ id: `a${n}:${id}`, at: day(6 + n * 10) + 3_600_000, kind: 'nudge_acted', source: 'card', actor: owner, nudgeId });
  }
  return e;
}

export async function seed(prefix: string, now: number): Promise<LedgerStore> {
  const redis = createRedis(REDIS_URL, 'general');
  const store = new LedgerStore(redis, prefix, new ManualClock(now));
  for (let r = 0; r < REPS; r++) {
    const batch = [];
    for (let j = 0; j < PER_REP; j++) {
      const i = r * PER_REP + j;
      const id = leadId(i);
      const lead = newLead({ id, externalUserId: id, name: `客户${i}`, owner: rep(r), source: 'inquiry', createdAt: now - 40 * DAY_MS });
      batch.push({ lead: { ...lead, state: stateOf(i) }, entries: timelineOf(id, rep(r), i, now) });
    }
    await store.bulkLoad(batch);
  }
  return store;
}

export interface Measured {
  p50: number;
  p95: number;
  p99: number;
  rps: number;
  cpuMicros: number;
  non200: number;
}

/** GETs the paths (round-robin) with the cookie, IN_FLIGHT at a time over keep-alive, after a warm-up; latency in ms. */
export async function measure(port: number, paths: string[], cookie: string, cpu: () => Promise<number>, n = REQUESTS): Promise<Measured> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: IN_FLIGHT });
  const get = (path: string) =>
    new Promise<number>((resolve, reject) => {
      const req = http.get({ host: '127.0.0.1', port, path, agent, headers: { cookie } }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      });
      req.on('error', reject);
    });
  let k = 0;
  const run = async (count: number, times: number[], statuses: number[]) => {
    const worker = async () => {
      while (k < count) {
        const path = paths[k++ % paths.length] as string;
        const t = performance.now();
        statuses.push(await get(path));
        times.push(performance.now() - t);
      }
    };
    await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
  };
  await run(Math.min(50, n), [], []);
  k = 0;
  const times: number[] = [];
  const statuses: number[] = [];
  const cpu0 = await cpu();
  const t0 = performance.now();
  await run(n, times, statuses);
  const seconds = (performance.now() - t0) / 1000;
  const cpuMicros = ((await cpu()) - cpu0) / n;
  agent.destroy();
  times.sort((a, b) => a - b);
  const at = (q: number) => times[Math.min(times.length - 1, Math.floor(q * times.length))] as number;
  return { p50: at(0.5), p95: at(0.95), p99: at(0.99), rps: n / seconds, cpuMicros, non200: statuses.filter((s) => s !== 200).length };
}

/** Measures each case (paths round-robin) and prints one markdown row each; answers whether every goal was met. */
export async function printCases(
  port: number,
  cpu: () => Promise<number>,
  cases: { name: string; paths: string[]; cookie: string; goal?: number }[],
  fmt: (n: number) => string,
): Promise<boolean> {
  console.log(`\n${REQUESTS} requests each, ${IN_FLIGHT} in flight, keep-alive, from a separate process; ms`);
  console.log('| request | p50 | p95 | p99 | req/s | server CPU µs/req | goal (p95) |');
  console.log('|---|---:|---:|---:|---:|---:|---|');
  let met = true;
  for (const { name, paths, cookie, goal } of cases) {
    const m = await measure(port, paths, cookie, cpu);
    const ok = goal === undefined || m.p95 < goal;
    met &&= ok && m.non200 === 0;
    console.log(
      `| ${name} | ${m.p50.toFixed(1)} | ${m.p95.toFixed(1)} | ${m.p99.toFixed(1)} | ${fmt(m.rps)} | ${fmt(m.cpuMicros)} | ${goal === undefined ? '' : `< ${goal} ${ok ? 'met' : 'NOT met'}`}${m.non200 ? ` (${m.non200} not 200)` : ''} |`,
    );
  }
  return met;
}
