/**
 * bench:ingress — callbacks per second and p99 latency of the real webhook (verify, decrypt, decode, durably
 * enqueue in Redis) for a realistic signed, encrypted change_external_chat callback, next to a bare Koa route doing
 * only verify+decrypt, measured in the same run on the same machine. Every request is a distinct event (no dedup
 * shortcut). Rounds alternate baseline/webhook, back to back; the ratio is taken per pair of rounds (so a slow
 * moment of the machine hits both sides of a pair) and the median pair counts. Next to throughput, each server's CPU
 * time per request: the part of the ratio that does not depend on how busy the machine's other tenants are.
 */
import Redis from 'ioredis';
import { CallbackDriver } from '../tools/sandbox/callback-driver';
import { encodeAppEvent } from '../tools/sandbox/event-xml';
import { deleteByPrefix } from '../src/store/redis';
import { fmt, load, startServer, type LoadResult, type PreparedRequest } from './lib';
import { BENCH_SECRETS } from './servers/secrets';

const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
const DURATION = Number(process.env.BENCH_DURATION ?? 5);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const PREFIX = `bench-ingress-${process.pid}`;

function prepare(n: number): PreparedRequest[] {
  const driver = new CallbackDriver('http://unused', BENCH_SECRETS);
  const out: PreparedRequest[] = [];
  for (let i = 0; i < n; i++) {
    const xml = encodeAppEvent(
      {
        kind: 'external_chat',
        corpId: BENCH_SECRETS.corpId,
        createTime: 1_700_000_000 + i,
        chatId: `wrOgQhDgAAMYQiS5ol9G7gK9J${String(i).padStart(7, '0')}`,
        changeType: 'update',
        updateDetail: 'add_member',
        joinScene: 3,
        memChangeCnt: 1,
        memChangeList: [`wmOgQhDgAAuXFJGwbve4g4iXkn${String(i).padStart(6, '0')}`],
        lastMemVer: '9c3f97c2ada667dfb5f6d03308d963e1',
        curMemVer: '71217227bbd112ecfe3a49c482195cb4',
      },
      BENCH_SECRETS.corpId,
    );
    const req = driver.appRequest(xml);
    out.push({ path: `${req.path}?${new URLSearchParams(req.query).toString()}`, body: req.body });
  }
  return out;
}

const median = (xs: LoadResult[], key: keyof LoadResult) => [...xs].sort((a, b) => a[key] - b[key])[Math.floor(xs.length / 2)] as LoadResult;

async function main() {
  const expected = Math.ceil(ROUNDS * DURATION * 12_000);
  console.log(`preparing ${fmt(expected)} distinct signed callbacks…`);
  const requests = prepare(expected);
  const bare = await startServer('servers/bare-koa.ts');
  const web = await startServer('servers/bot-web.ts', { REDIS_URL, REDIS_PREFIX: PREFIX });
  const baseline: LoadResult[] = [];
  const webhook: LoadResult[] = [];
  const cpu = { bare: [] as number[], web: [] as number[] };
  const measured = async (server: typeof bare, reqs: typeof requests, into: number[]) => {
    const before = await server.cpuMicros();
    const res = await load(server.port, reqs, { connections: CONNECTIONS, duration: DURATION });
    into.push(((await server.cpuMicros()) - before) / Math.max(1, res.total));
    return res;
  };
  let offset = 0;
  const redis = new Redis(REDIS_URL);
  // Between rounds the stream is emptied, as the workers' pump would have done: the webhook refuses callbacks (503
  // INBOX_FULL) once `inbox.streamMaxLen` of them wait, and no worker runs here.
  const drain = () => redis.del(`${PREFIX}:{inbox}:stream`);
  try {
    // warm-up
    await load(bare.port, requests.slice(0, 2000), { connections: 10, duration: 1 });
    await load(web.port, requests.slice(expected - 2000), { connections: 10, duration: 1 });
    for (let r = 0; r < ROUNDS; r++) {
      baseline.push(await measured(bare, requests, cpu.bare));
      const slice = requests.slice(offset);
      const res = await measured(web, slice, cpu.web);
      offset += res.total;
      webhook.push(res);
      await drain();
      console.log(
        `round ${r + 1}: bare ${fmt(baseline[r]!.rps)} req/s p99 ${baseline[r]!.p99} ms ${fmt(cpu.bare[r]!)} µs CPU/req | webhook ${fmt(res.rps)} req/s p99 ${res.p99} ms ${fmt(cpu.web[r]!)} µs CPU/req`,
      );
    }
  } finally {
    await web.stop();
    await bare.stop();
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
  console.log(`| ingress (${CONNECTIONS} connections, ${DURATION}s × ${ROUNDS}) | req/s | p50 ms | p99 ms | server CPU µs/req |`);
  console.log('|---|---:|---:|---:|---:|');
  console.log(`| bare Koa + verify + decrypt (baseline) | ${fmt(b.rps)} | ${b.p50} | ${b.p99} | ${fmt(mid(cpu.bare))} |`);
  console.log(`| webhook: verify, decrypt, decode, enqueue in Redis | ${fmt(w.rps)} | ${w.p50} | ${w.p99} | ${fmt(mid(cpu.web))} |`);
  console.log(
    `| ratio webhook / baseline (median of ${ratios.length} paired rounds; range ${ratios[0]?.toFixed(2)}–${ratios.at(-1)?.toFixed(2)}) | ${ratio.toFixed(2)} | | | ${(mid(cpu.bare) / mid(cpu.web)).toFixed(2)} |`,
  );
  console.log(`non-200 or errors from the webhook: ${failed}`);
  if (failed > 0) process.exitCode = 1;
}
void main();
