/**
 * bench:board — the manager's board at 100 reps × 1,000 leads (100,000 leads with their timelines): latency of the
 * board's JSON as a browser asks for it (a session cookie, keep-alive, 4 requests in flight) from the real web process
 * (src/main/web, its own process), next to `/healthz` measured the same way in the same run — the floor of an HTTP
 * round trip to that process. Viewers: an admin (all 100 reps) and a manager of 10 reps (their `direct_leader`, read
 * from the WeCom sandbox as in production). Also the server's CPU per request, and how long the nightly rebuild of
 * every board row takes. Goals: team p95 < 150 ms, risks (first page) p95 < 250 ms, lead p95 < 100 ms.
 */
import { DateTime } from 'luxon';
import { Nudger } from '../src/app/nudger';
import type { OutboundMessage } from '../src/app/ports';
import { readEnvOptions } from '../src/config/env';
import { ManualClock } from '../src/domain/clock';
import { createLogger } from '../src/log';
import { nudgeSettings } from '../src/main/worker';
import { ActivityStore } from '../src/store/activity-store';
import { RedisBoardProjection } from '../src/store/board-projection';
import { NudgeStore } from '../src/store/nudge-store';
import { createRedis, deleteByPrefix } from '../src/store/redis';
import { RedisSessionStore } from '../src/store/session-store';
import { WeComSandbox } from '../tools/sandbox/wecom-sandbox';
import { BENCH_ENV, BENCH_SECRETS } from './servers/secrets';
import { fmt, startServer } from './lib';
import { PER_REP, printCases, REDIS_URL, rep, REPS, seed } from './leads-fixture';

const GOALS = { team: 150, risks: 250, lead: 100 };

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
    const met = await printCases(
      s.port,
      () => s.cpuMicros(),
      cases.map(([name, paths, cookie, goal]) => ({ name, paths, cookie, goal })),
      fmt,
    );
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
