/**
 * bench:sidebar — the chat sidebar's data for one chat (GET /api/sidebar/contacts/:id, the rep's own lead with its
 * next step, suggestion, decision history and mindshare) at 100 reps × 1,000 leads (100,000 leads with their
 * timelines), from the real web process (its own process), next to /healthz measured the same way in the same run.
 * Also a colleague's customer (only the owner's name) and the signatures for ww.register (two cached tickets).
 * Goal: the contact's data p95 < 100 ms.
 */
import { DateTime } from 'luxon';
import { createRedis, deleteByPrefix } from '../src/store/redis';
import { RedisSessionStore } from '../src/store/session-store';
import { WeComSandbox } from '../tools/sandbox/wecom-sandbox';
import { BENCH_SECRETS } from './servers/secrets';
import { fmt, startServer } from './lib';
import { leadId, PER_REP, printCases, REDIS_URL, rep, REPS, seed } from './leads-fixture';

const GOAL_MS = 100;

async function main() {
  const prefix = `bench-sidebar-${process.pid}`;
  const now = DateTime.now().toMillis();
  const sandbox = new WeComSandbox({ corpId: BENCH_SECRETS.corpId, secret: 'bench', agentId: 1000002 });
  const sandboxUrl = await sandbox.listen();
  for (let r = 0; r < REPS; r++) sandbox.addUser({ userid: rep(r), name: `销售${r}` });
  const redis = createRedis(REDIS_URL, 'general');
  let server: Awaited<ReturnType<typeof startServer>> | undefined;
  try {
    const t = performance.now();
    await seed(prefix, now);
    console.log(`seeded ${fmt(REPS * PER_REP)} leads (${REPS} reps × ${fmt(PER_REP)}) in ${((performance.now() - t) / 1000).toFixed(1)} s`);
    // rep007's session: their own leads are i = 7000…7999.
    const me = 7;
    const id = `bench${'s'.repeat(27)}`;
    await new RedisSessionStore(redis, prefix).createSession({ id, userId: rep(me), csrf: 'c', createdAt: now, lastSeenAt: now }, 3_600_000);
    const cookie = `wf_session=${id}`;
    server = await startServer('servers/board-web.ts', { REDIS_URL, REDIS_PREFIX: prefix, WECOM_API_BASE: sandboxUrl, PUBLIC_URL: 'http://127.0.0.1' });
    const s = server;
    const own = Array.from({ length: 200 }, (_, k) => `/api/sidebar/contacts/${leadId(me * PER_REP + ((k * 37) % PER_REP))}`);
    // Other reps' customers (rep008's and on).
    const theirs = Array.from({ length: 200 }, (_, k) => `/api/sidebar/contacts/${leadId((me + 1) * PER_REP + ((k * 7919) % ((REPS - me - 1) * PER_REP)))}`);
    const signatures = [`/api/sidebar/signatures?url=${encodeURIComponent('http://127.0.0.1/sidebar')}`];
    const cases: [string, string[], number | undefined][] = [
      ['/healthz', ['/healthz'], undefined],
      ["the rep's own customer: lead, next step, suggestion, mindshare", own, GOAL_MS],
      ["a colleague's customer: the owner's name only", theirs, undefined],
      ['ww.register signatures (cached tickets)', signatures, undefined],
      ['/healthz (again)', ['/healthz'], undefined],
    ];
    const met = await printCases(
      s.port,
      () => s.cpuMicros(),
      cases.map(([name, paths, goal]) => ({ name, paths, cookie, goal })),
      fmt,
    );
    console.log(`\ngoal (the contact's data p95 < ${GOAL_MS} ms, every answer 200): ${met ? 'met' : 'NOT met'}`);
    if (!met) process.exitCode = 1;
  } finally {
    await server?.stop();
    await sandbox.close();
    await deleteByPrefix(redis, prefix);
    redis.disconnect();
  }
}
void main();
