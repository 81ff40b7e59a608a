/**
 * docker-compose.yml as shipped: every service it runs has a healthcheck; the scaled services (web, worker) publish no
 * host port (the proxy is the one public port, so `--scale web=2` cannot clash); the sandbox runs only in its profile
 * and only on this machine's loopback; the worker's healthcheck reads the file the worker keeps alive; the proxy
 * forwards to the web service; the image's default build target is the runtime, not the sandbox.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';

const root = path.join(__dirname, '..', '..');
interface Service {
  image?: string;
  build?: string | { context: string; target?: string };
  ports?: string[];
  profiles?: string[];
  healthcheck?: { test: string[] };
  environment?: Record<string, string>;
  volumes?: string[];
}
const compose = parse(readFileSync(path.join(root, 'docker-compose.yml'), 'utf8')) as { services: Record<string, Service> };
const s = compose.services;

test('the services, each with a healthcheck', () => {
  expect(Object.keys(s).sort()).toEqual(['proxy', 'redis', 'sandbox', 'web', 'worker']);
  for (const [name, svc] of Object.entries(s)) expect([name, Array.isArray(svc.healthcheck?.test)]).toEqual([name, true]);
});

test('scaled services publish no host port; the proxy is the one public port', () => {
  expect(s.web?.ports).toBeUndefined();
  expect(s.worker?.ports).toBeUndefined();
  expect(s.proxy?.ports).toEqual(['${PUBLIC_PORT:-3000}:80']);
  const conf = readFileSync(path.join(root, 'deploy', 'nginx.conf'), 'utf8');
  expect(s.proxy?.volumes?.[0]).toMatch(/^\.\/deploy\/nginx\.conf:/);
  expect(conf).toMatch(/set \$web http:\/\/web:3000;/);
  expect(conf).toMatch(/resolver 127\.0\.0\.11/);
});

test('the sandbox only in its profile, on loopback, built from its own stage; nothing else in a profile', () => {
  expect(s.sandbox?.profiles).toEqual(['sandbox']);
  expect(s.sandbox?.ports?.every((p) => p.startsWith('127.0.0.1:'))).toBe(true);
  expect(s.sandbox?.build).toEqual({ context: '.', target: 'sandbox' });
  for (const name of ['redis', 'proxy', 'web', 'worker']) expect(s[name]?.profiles).toBeUndefined();
  const dockerfile = readFileSync(path.join(root, 'Dockerfile'), 'utf8');
  const stages = [...dockerfile.matchAll(/^FROM \S+(?: AS (\S+))?$/gm)].map((m) => m[1] ?? '(runtime)');
  expect(stages).toEqual(['build', 'sandbox', '(runtime)']);
});

test("the worker reads Tencent's archive SDK and the archive keys from a read-only volume (the image ships neither)", () => {
  expect(s.worker?.volumes).toEqual(['./wecom-archive:/opt/wecom-archive:ro']);
});

test('the worker is healthy while it keeps its file fresh', () => {
  const file = s.worker?.environment?.WORKER_ALIVE_FILE as string;
  expect(file).toBe('/tmp/wf-worker-alive');
  expect(s.worker?.healthcheck?.test.join(' ')).toContain(file);
});
