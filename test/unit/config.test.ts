import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
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
  expect(c.redis).toEqual({ url: 'redis://127.0.0.1:6379', prefix: 'wf' });
  expect(c.wecom.apiBase).toBe('https://qyapi.weixin.qq.com');
  expect(c.wecom.bot).toBeUndefined();
  expect(c.logLevel).toBe('info');
  expect(c.policy.ingress.maxBodyBytes).toBe(1048576);
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
