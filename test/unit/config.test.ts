import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { clusterSeeds } from '../../src/store/redis';
import { readEnvOptions } from '../../src/config/env';
import { ConfigError } from '../../src/config/errors';

const valid = {
  WECOM_CORP_ID: 'wwcorp',
  WECOM_AGENT_ID: '1000002',
  WECOM_SECRET: 's',
  WECOM_TOKEN: 't',
  WECOM_AES_KEY: 'jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C',
  ADMIN_TOKEN: 'a-long-admin-token',
};

function problems(env: Record<string, string>): string[] {
  try {
    readEnvOptions(env);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  return [];
}

test('defaults', () => {
  const c = readEnvOptions(valid);
  expect(c.port).toBe(3000);
  expect(c.redis).toEqual({ url: 'redis://127.0.0.1:6379', prefix: 'wf', cluster: false });
  expect(c.processes).toEqual({ web: undefined, worker: undefined, workerNice: 10 });
  expect(c.wecom.apiBase).toBe('https://qyapi.weixin.qq.com');
  expect(c.wecom.bot).toBeUndefined();
  expect(c.logLevel).toBe('info');
  expect(c.policy.ingress.maxBodyBytes).toBe(65536);
});

test('a Redis Cluster: several nodes in REDIS_URL, or one seed and REDIS_CLUSTER=true; npm start’s processes', () => {
  expect(readEnvOptions({ ...valid, REDIS_URL: 'redis://10.0.0.1:6379,10.0.0.2:6379' }).redis.cluster).toBe(true);
  expect(readEnvOptions({ ...valid, REDIS_URL: 'rediss://cache.example:6380', REDIS_CLUSTER: 'true' }).redis).toMatchObject({ cluster: true });
  expect(readEnvOptions({ ...valid, REDIS_CLUSTER: 'false' }).redis.cluster).toBe(false);
  expect(problems({ ...valid, REDIS_CLUSTER: 'yes please' })).toEqual(['REDIS_CLUSTER must be true or false']);
  expect(readEnvOptions({ ...valid, WEB_PROCESSES: '3', WORKER_PROCESSES: '2', WORKER_NICE: '0' }).processes).toEqual({ web: 3, worker: 2, workerNice: 0 });
  expect(problems({ ...valid, WEB_PROCESSES: '0', WORKER_NICE: '20' })).toHaveLength(2);
});

test('cluster seeds: every node of the URL, with its credentials and TLS', () => {
  expect(clusterSeeds('rediss://app:s%3Acret@10.0.0.1:6380,10.0.0.2,10.0.0.3:7000')).toEqual({
    nodes: [
      { host: '10.0.0.1', port: 6380 },
      { host: '10.0.0.2', port: 6379 },
      { host: '10.0.0.3', port: 7000 },
    ],
    options: { username: 'app', password: 's:cret', tls: {} },
  });
  expect(clusterSeeds('redis://:pw@h:1').options).toEqual({ password: 'pw' });
});

test('an empty environment lists every missing variable at once', () => {
  const p = problems({});
  for (const name of ['WECOM_CORP_ID', 'WECOM_AGENT_ID', 'WECOM_SECRET', 'WECOM_TOKEN', 'WECOM_AES_KEY', 'ADMIN_TOKEN']) {
    expect(p).toContainEqual(expect.stringMatching(new RegExp(`^${name} `)));
  }
  expect(p).toHaveLength(6);
});

test('invalid values are named with the reason', () => {
  const p = problems({ ...valid, PORT: 'eighty', WECOM_AES_KEY: 'short', REDIS_URL: 'http://x', LOG_LEVEL: 'loud', WECOM_AGENT_ID: 'abc' });
  expect(p.join('\n')).toMatch(/PORT/);
  expect(p.join('\n')).toMatch(/WECOM_AES_KEY must be the 43-character EncodingAESKey/);
  expect(p.join('\n')).toMatch(/REDIS_URL must start with redis:\/\//);
  expect(p.join('\n')).toMatch(/LOG_LEVEL/);
  expect(p.join('\n')).toMatch(/WECOM_AGENT_ID/);
  expect(p).toHaveLength(5);
});

test('the robot needs both its token and key', () => {
  expect(problems({ ...valid, WECOM_BOT_TOKEN: 'x' })).toEqual([expect.stringMatching(/WECOM_BOT_TOKEN and WECOM_BOT_AES_KEY go together/)]);
  const c = readEnvOptions({ ...valid, WECOM_BOT_TOKEN: 'x', WECOM_BOT_AES_KEY: valid.WECOM_AES_KEY });
  expect(c.wecom.bot).toEqual({ token: 'x', aesKey: valid.WECOM_AES_KEY });
});

test('empty strings count as unset (docker-compose `VAR=`)', () => {
  expect(readEnvOptions({ ...valid, PORT: '', WECOM_BOT_TOKEN: '' }).port).toBe(3000);
});

test('the policy file is validated too, and its problems join the list', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'wf-config-'));
  const file = path.join(dir, 'app.json');
  writeFileSync(file, JSON.stringify({ ingress: { maxBodyBytes: 99999999, dedupTtlHours: 1 }, inbox: { attempts: 0 } }));
  const p = problems({ ...valid, CONFIG_FILE: file, PORT: '-1' });
  expect(p.join('\n')).toMatch(/ingress\.maxBodyBytes/);
  expect(p.join('\n')).toMatch(/inbox\.attempts/);
  expect(p.join('\n')).toMatch(/inbox\.backoffMs/);
  expect(p.join('\n')).toMatch(/PORT/);
  writeFileSync(file, '{ not json');
  expect(problems({ ...valid, CONFIG_FILE: file })).toEqual([expect.stringMatching(/not valid JSON/)]);
  expect(problems({ ...valid, CONFIG_FILE: path.join(dir, 'missing.json') })).toEqual([expect.stringMatching(/cannot be read \(ENOENT\)/)]);
});

test('the message lists every problem on its own line', () => {
  try {
    readEnvOptions({});
    throw new Error('should have thrown');
  } catch (err) {
    expect((err as ConfigError).code).toBe('CONFIG_INVALID');
    expect((err as Error).message.split('\n  - ')).toHaveLength(7);
  }
});

test('the example ADMIN_TOKEN is refused for a real WeCom, and allowed only against the sandbox on this machine', () => {
  const example = { ...valid, ADMIN_TOKEN: 'change-me-admin-token-000000' };
  expect(problems(example)).toEqual([expect.stringMatching(/^ADMIN_TOKEN is the public example/)]);
  expect(problems({ ...example, WECOM_API_BASE: 'https://qyapi.weixin.qq.com' })).toHaveLength(1);
  expect(problems({ ...example, ADMIN_TOKEN: 'changeme-please-0000' })).toHaveLength(1);
  expect(problems({ ...example, WECOM_API_BASE: 'http://127.0.0.1:8700' })).toEqual([]);
  expect(problems({ ...example, WECOM_API_BASE: 'http://localhost:8700' })).toEqual([]);
  expect(problems({ ...example, WECOM_API_BASE: 'http://sandbox:8700' })).toEqual([]); // the compose file's sandbox service
  expect(problems({ ...example, WECOM_API_BASE: 'http://wecom-gateway:8700' })).toHaveLength(1);
});

test("the sandbox's stand-in for the WeCom client only with the sandbox: its script would run in the sidebar's origin", () => {
  const bridge = { ...valid, WECOM_CLIENT_BRIDGE: 'http://127.0.0.1:8700/sandbox/client-bridge.js' };
  expect(problems({ ...bridge, WECOM_API_BASE: 'http://127.0.0.1:8700' })).toEqual([]);
  expect(problems({ ...bridge, WECOM_API_BASE: 'https://qyapi.weixin.qq.com' })).toEqual([
    expect.stringMatching(/^WECOM_CLIENT_BRIDGE is the sandbox stand-in/),
  ]);
  expect(problems({ ...bridge, WECOM_API_BASE: 'http://127.0.0.1:8700', WECOM_CLIENT_BRIDGE: 'https://cdn.example.com/bridge.js' })).toHaveLength(1);
  expect(readEnvOptions({ ...bridge, WECOM_API_BASE: 'http://127.0.0.1:8700' }).board.clientBridge).toBe(bridge.WECOM_CLIENT_BRIDGE);
});

test('the chat-archive puller: its three variables together or not at all', () => {
  const all = {
    ...valid,
    WECOM_ARCHIVE_SDK_PATH: '/opt/wecom-archive/libWeWorkFinanceSdk_C.so',
    WECOM_ARCHIVE_SECRET: 's',
    WECOM_ARCHIVE_KEYS: '/opt/wecom-archive/keys',
  };
  expect(readEnvOptions(all).archivePuller).toEqual({ sdkPath: all.WECOM_ARCHIVE_SDK_PATH, secret: 's', keys: all.WECOM_ARCHIVE_KEYS });
  expect(readEnvOptions(valid).archivePuller).toBeUndefined();
  expect(problems({ ...valid, WECOM_ARCHIVE_SDK_PATH: all.WECOM_ARCHIVE_SDK_PATH })).toEqual([expect.stringMatching(/go together/)]);
});
