/**
 * bench:board — the manager's board at 100 reps × 1,000 leads (100,000 leads with their timelines): latency of the
 * board's JSON as a browser asks for it (a session cookie, keep-alive, 4 requests in flight) from the real web process
 * (src/main/web, its own process), next to `/healthz` measured the same way in the same run — the floor of an HTTP
 * round trip to that process. Viewers: an admin (all 100 reps) and a manager of 10 reps (their `direct_leader`, read
 * from the WeCom sandbox as in production). Also the server's CPU per request, and how long the nightly rebuild of
 * every board row takes. Goals: team p95 < 150 ms, risks (first page) p95 < 250 ms, lead p95 < 100 ms.
 */
import http from 'node:http';
import { DateTime } from 'luxon';
import { Nudger } from '../src/app/nudger';
import type { OutboundMessage } from '../src/app/ports';
import { readEnvOptions } from '../src/config/env';
import { ManualClock } from '../src/domain/clock';
import { newLead, type BuyingState } from '../src/domain/lead';
import { DAY_MS } from '../src/domain/metrics';
import type { TimelineEntry } from '../src/domain/timeline';
import { createLogger } from '../src/log';
import { nudgeSettings } from '../src/main/worker';
import { ActivityStore } from '../src/store/activity-store';
import { RedisBoardProjection } from '../src/store/board-projection';
import { LedgerStore } from '../src/store/ledger-store';
import { NudgeStore } from '../src/store/nudge-store';
import { createRedis, deleteByPrefix } from '../src/store/redis';
import { RedisSessionStore } from '../src/store/session-store';
import { WeComSandbox } from '../tools/sandbox/wecom-sandbox';
import { BENCH_ENV, BENCH_SECRETS } from './servers/secrets';
import { fmt, startServer } from './lib';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const REPS = Number(process.env.BENCH_REPS ?? 100);
const PER_REP = Number(process.env.BENCH_LEADS_PER_REP ?? 1_000);
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 400);
const IN_FLIGHT = 4;
const GOALS = { team: 150, risks: 250, lead: 100 };
const STATES = ['unknown', 'exploring', 'price_check', 'benchmarking'] as const satisfies readonly BuyingState[];
const stateOf = (i: number): BuyingState => STATES[i % 4] as BuyingState;
const rep = (i: number) => `rep${String(i).padStart(3, '0')}`;

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

async function seed(prefix: string, now: number): Promise<LedgerStore> {
  const redis = createRedis(REDIS_URL, 'general');
  const store = new LedgerStore(redis, prefix, new ManualClock(now));
  for (let r = 0; r < REPS; r++) {
    const batch = [];
    for (let j = 0; j < PER_REP; j++) {
      const i = r * PER_REP + j;
      const id = `wo${String(i).padStart(12, '0')}`;
      const lead = newLead({ id, externalUserId: id, name: `客户${i}`, owner: rep(r), source: 'inquiry', createdAt: now - 40 * DAY_MS });
      batch.push({ lead: { ...lead, state: stateOf(i) }, entries: timelineOf(id, rep(r), i, now) });
    }
    await store.bulkLoad(batch);
  }
  return store;
}

interface Measured {
  p50: number;
  p95: number;
  p99: number;
  rps: number;
  cpuMicros: number;
  non200: number;
}

/** GETs the paths (round-robin) with the cookie, IN_FLIGHT at a time over keep-alive, after a warm-up; latency in ms. */
async function measure(port: number, paths: string[], cookie: string, cpu: () => Promise<number>, n = REQUESTS): Promise<Measured> {
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

async function main() {
  const prefix = `bench-board-${process.pid}`;
  const now = DateTime.now().toMillis();
  const sandbox = new WeComSandbox({ corpId: BENCH_SECRETS.corpId, secret: 'bench', agentId: 1000002 });
  const sandboxUrl = await sandbox.listen();
  sandbox.addUser({ userid: 'boss', name: '老板' }).addUser({ userid: 'mgr01', name: '王经理' });
  for (let r = 0; r < REPS; r++) sandbox.addUser({ userid: rep(r), name: `销售${r}`, direct_leader: r < 10 ? ['mgr01'] : ['boss'] });
  const redis = createRedis(REDIS_URL, 'general');
  let server: Awaited<ReturnType<typeof startServer>> | undefined;
  try {
    let t = performance.now();
    const store = await seed(prefix, now);
    console.log(`seeded ${fmt(REPS * PER_REP)} leads (${REPS} reps × ${fmt(PER_REP)}) in ${((performance.now() - t) / 1000).toFixed(1)} s`);

    const settings = nudgeSettings(readEnvOptions(BENCH_ENV));
    const nudger = new Nudger({
      store,
      nudges: new NudgeStore(redis, prefix),
      outbox: { enqueue: async (_m: OutboundMessage) => undefined, enqueueMany: async (_m: OutboundMessage[]) => undefined },
      managers: { managerOf: async () => undefined, nameOf: async (u: string) => u },
      activity: new ActivityStore(redis, prefix),
      board: new RedisBoardProjection(redis, prefix),
      clock: new ManualClock(now),
      settings,
      dailyCapPerRep: 10_000,
      escalateAfterIgnored: 3,
      log: createLogger('silent'),
    });
    t = performance.now();
    const rows = await nudger.rebuildBoard();
    const rebuild = (performance.now() - t) / 1000;
    console.log(`nightly rebuild of every board row: ${fmt(rows)} leads in ${rebuild.toFixed(1)} s (${fmt(rows / rebuild)} leads/s)`);

    const sessions = new RedisSessionStore(redis, prefix);
    const cookies: Record<string, string> = {};
    for (const userId of ['boss', 'mgr01']) {
      const id = `bench${userId}${'x'.repeat(24)}`;
      await sessions.createSession({ id, userId, csrf: 'c', createdAt: now, lastSeenAt: now }, 3_600_000);
      cookies[userId] = `wf_session=${id}`;
    }
    server = await startServer('servers/board-web.ts', {
      REDIS_URL,
      REDIS_PREFIX: prefix,
      WECOM_API_BASE: sandboxUrl,
      BOARD_ADMINS: 'boss',
      PUBLIC_URL: 'http://127.0.0.1',
    });
    const s = server;
    const leads = Array.from({ length: 200 }, (_, i) => `/api/board/leads/wo${String((i * 7919) % (REPS * PER_REP)).padStart(12, '0')}`);
    const mgrLeads = Array.from({ length: 200 }, (_, i) => `/api/board/leads/wo${String((i * 7919) % (10 * PER_REP)).padStart(12, '0')}`);
    const cases: [string, string[], string, number | undefined][] = [
      ['/healthz', ['/healthz'], cookies.boss as string, undefined],
      [`team — admin, ${REPS} reps`, ['/api/board/team'], cookies.boss as string, GOALS.team],
      ['team — manager, 10 reps', ['/api/board/team'], cookies.mgr01 as string, GOALS.team],
      ['risks, first page — admin', ['/api/board/risks'], cookies.boss as string, GOALS.risks],
      ['risks, first page — manager', ['/api/board/risks'], cookies.mgr01 as string, GOALS.risks],
      ['risks, chip filter — admin', ['/api/board/risks?chip=proposal_no_meeting'], cookies.boss as string, GOALS.risks],
      ['lead — admin, 200 leads', leads, cookies.boss as string, GOALS.lead],
      ['lead — manager, 200 leads', mgrLeads, cookies.mgr01 as string, GOALS.lead],
      ['/healthz (again)', ['/healthz'], cookies.boss as string, undefined],
    ];
    console.log(`\n${REQUESTS} requests each, ${IN_FLIGHT} in flight, keep-alive, from a separate process; ms`);
    console.log('| request | p50 | p95 | p99 | req/s | server CPU µs/req | goal (p95) |');
    console.log('|---|---:|---:|---:|---:|---:|---|');
    let met = true;
    for (const [name, paths, cookie, goal] of cases) {
      const m = await measure(s.port, paths, cookie, () => s.cpuMicros());
      const ok = goal === undefined || m.p95 < goal;
      met &&= ok && m.non200 === 0;
      console.log(
        `| ${name} | ${m.p50.toFixed(1)} | ${m.p95.toFixed(1)} | ${m.p99.toFixed(1)} | ${fmt(m.rps)} | ${fmt(m.cpuMicros)} | ${goal === undefined ? '' : `< ${goal} ${ok ? 'met' : 'NOT met'}`}${m.non200 ? ` (${m.non200} not 200)` : ''} |`,
      );
    }
    console.log(
      `\ngoals (team p95 < ${GOALS.team} ms, risks p95 < ${GOALS.risks} ms, lead p95 < ${GOALS.lead} ms, every answer 200): ${met ? 'met' : 'NOT met'}`,
    );
    if (!met) process.exitCode = 1;
  } finally {
    await server?.stop();
    await sandbox.close();
    await deleteByPrefix(redis, prefix);
    redis.disconnect();
  }
}
void main();
