/**
 * bench:ingress — callbacks per second and p99 latency of the real webhook (verify, decrypt, key, durably
 * enqueue in Redis) for a realistic signed, encrypted change_external_chat callback, next to a bare Koa route doing
 * only verify+decrypt, measured in the same run on the same machine. Every request is a distinct event (no dedup
 * shortcut). Rounds alternate baseline/webhook, back to back; the ratio is taken per pair of rounds (so a slow
 * moment of the machine hits both sides of a pair) and the median pair counts. Next to throughput, each server's CPU
 * time per request: the part of the ratio that does not depend on how busy the machine's other tenants are.
 */
import { createRedis, deleteByPrefix, scanKeys } from '../src/store/redis';
import { prepareFlood } from './flood';
import { fmt, freePort, load, startAllMain, startServer, type LoadResult } from './lib';
import { BENCH_ENV } from './servers/secrets';

const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
const DURATION = Number(process.env.BENCH_DURATION ?? 5);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const PREFIX = `bench-ingress-${process.pid}`;
/**
 * `web` (default): the web process alone, nothing draining the inbox but the bench between rounds.
 * `start`: `npm start` as deployed — its web and worker processes — with the workers applying the flood (against a
 * fake WeCom in its own process) while it comes in.
 */
const MODE = process.env.BENCH_INGRESS_MODE === 'start' ? 'start' : 'web';

const median = (xs: LoadResult[], key: keyof LoadResult) => [...xs].sort((a, b) => a[key] - b[key])[Math.floor(xs.length / 2)] as LoadResult;

async function main() {
  const expected = Math.ceil(ROUNDS * DURATION * 12_000);
  console.log(`preparing ${fmt(expected)} distinct signed callbacks…`);
  const requests = prepareFlood(expected);
  const bare = await startServer('servers/bare-koa.ts');
  const fakeWeCom = MODE === 'start' ? await startServer('servers/fake-wecom.ts', { BENCH_GROUPS: String(expected) }) : undefined;
  const web =
    MODE === 'start'
      ? await startAllMain(
          {
            ...BENCH_ENV,
            REDIS_URL,
            REDIS_PREFIX: PREFIX,
            WECOM_API_BASE: `http://127.0.0.1:${fakeWeCom?.port}`,
            LOG_LEVEL: 'warn',
          },
          await freePort(),
        )
      : await startServer('servers/bot-web.ts', { REDIS_URL, REDIS_PREFIX: PREFIX });
  const webCpu = async () => (MODE === 'start' ? (web as Awaited<ReturnType<typeof startAllMain>>).cpuMicros().web : await (web as typeof bare).cpuMicros());
  const workerCpu = () => (MODE === 'start' ? (web as Awaited<ReturnType<typeof startAllMain>>).cpuMicros().worker : 0);
  const baseline: LoadResult[] = [];
  const webhook: LoadResult[] = [];
  const cpu = { bare: [] as number[], web: [] as number[], worker: [] as number[] };
  const measured = async (port: number, reqs: typeof requests, into: number[], cpuOf: () => Promise<number>) => {
    const before = await cpuOf();
    const res = await load(port, reqs, { connections: CONNECTIONS, duration: DURATION });
    into.push(((await cpuOf()) - before) / Math.max(1, res.total));
    return res;
  };
  let offset = 0;
  const redis = createRedis(REDIS_URL, 'general');
  // In `web` mode the stream is emptied between rounds, as the workers' pump would have done: the webhook refuses
  // callbacks (503 INBOX_FULL) once `inbox.streamMaxLen` of them wait, and no worker runs. In `start` mode the
  // workers drain it.
  const drain = () => (MODE === 'web' ? redis.del(`${PREFIX}:{inbox}:stream`) : Promise.resolve(0));
  let applied = 0;
  const startedAt = Date.now();
  try {
    // warm-up
    await load(bare.port, requests.slice(0, 2000), { connections: 10, duration: 1 });
    await load(web.port, requests.slice(expected - 2000), { connections: 10, duration: 1 });
    for (let r = 0; r < ROUNDS; r++) {
      baseline.push(await measured(bare.port, requests, cpu.bare, () => bare.cpuMicros()));
      const slice = requests.slice(offset);
      const workerBefore = workerCpu();
      const res = await measured(web.port, slice, cpu.web, webCpu);
      cpu.worker.push((workerCpu() - workerBefore) / Math.max(1, res.total));
      offset += res.total;
      webhook.push(res);
      await drain();
      console.log(
        `round ${r + 1}: bare ${fmt(baseline[r]!.rps)} req/s p99 ${baseline[r]!.p99} ms ${fmt(cpu.bare[r]!)} µs CPU/req | webhook ${fmt(res.rps)} req/s p99 ${res.p99} ms ${fmt(cpu.web[r]!)} µs CPU/req${MODE === 'start' ? ` | workers ${fmt(cpu.worker[r]!)} µs CPU per callback received` : ''}`,
      );
    }
    if (MODE === 'start') {
      // How far the workers got while the flood came in: groups recorded (each callback names its own group).
      for await (const keys of scanKeys(redis, `${PREFIX}:group:{*}`)) applied += keys.filter((k) => k.endsWith('}')).length;
    }
  } finally {
    await web.stop();
    await bare.stop();
    await fakeWeCom?.stop();
    await deleteByPrefix(redis, PREFIX);
    redis.disconnect();
  }
  const b = median(baseline, 'rps');
  const w = median(webhook, 'rps');
  const ratios = webhook.map((x, i) => x.rps / (baseline[i] as LoadResult).rps).sort((x, y) => x - y);
  const ratio = ratios[Math.floor(ratios.length / 2)] as number;
  const failed = webhook.reduce((n, x) => n + x.non2xx + x.errors, 0);
  console.log('');
  const mid = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)] as number;
  const what = MODE === 'start' ? 'npm start (web + worker processes, workers applying the flood)' : 'web process alone';
  console.log(`| ingress, ${what} (${CONNECTIONS} connections, ${DURATION}s × ${ROUNDS}) | req/s | p50 ms | p99 ms | server CPU µs/req |`);
  console.log('|---|---:|---:|---:|---:|');
  console.log(`| bare Koa + verify + decrypt (baseline) | ${fmt(b.rps)} | ${b.p50} | ${b.p99} | ${fmt(mid(cpu.bare))} |`);
  console.log(`| webhook: verify, decrypt, key, enqueue in Redis | ${fmt(w.rps)} | ${w.p50} | ${w.p99} | ${fmt(mid(cpu.web))} |`);
  console.log(
    `| ratio webhook / baseline (median of ${ratios.length} paired rounds; range ${ratios[0]?.toFixed(2)}–${ratios.at(-1)?.toFixed(2)}) | ${ratio.toFixed(2)} | | | ${(mid(cpu.bare) / mid(cpu.web)).toFixed(2)} |`,
  );
  console.log(`non-200 or errors from the webhook: ${failed}`);
  if (MODE === 'start') {
    const received = webhook.reduce((n, x) => n + x.total, 0);
    console.log(
      `workers: applied ${fmt(applied)} of ${fmt(received)} callbacks by the end of the flood (${fmt(applied / ((Date.now() - startedAt) / 1000))}/s), ${fmt(mid(cpu.worker))} µs worker CPU per callback received; the rest waits in the inbox`,
    );
  }
  if (failed > 0) process.exitCode = 1;
}
void main();
