/**
 * The company's archive keys and what each SDK failure does: keys by version from a directory or from pairs, a bad
 * file refused with its version named, PKCS#1 v1.5 opened by hand (Node 20 refuses that padding for private
 * decryption) and anything else refused; every return code and errcode with its disposition.
 */
import { constants, generateKeyPairSync, publicEncrypt } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sdkFailure, serverFailure } from '../../src/wecom/archive-errors';
import { ArchiveKeys } from '../../src/wecom/archive-keys';
import { ArchiveSetupError } from '../../src/wecom/finance-sdk';

const pair = () => generateKeyPairSync('rsa', { modulusLength: 2048 });
const a = pair();
const b = pair();
let dir: string;

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'wf-keys-unit-'));
  writeFileSync(path.join(dir, '1.pem'), a.privateKey.export({ type: 'pkcs1', format: 'pem' }));
  writeFileSync(path.join(dir, '2.pem'), b.privateKey.export({ type: 'pkcs8', format: 'pem' }));
  writeFileSync(path.join(dir, 'README.txt'), 'not a key, not read');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const seal = (key: typeof a.publicKey, text: string) => publicEncrypt({ key, padding: constants.RSA_PKCS1_PADDING }, Buffer.from(text)).toString('base64');

test('keys by version from a directory (PKCS#1 or PKCS#8), each opening only its own records', () => {
  const keys = new ArchiveKeys(dir);
  expect(keys.versions()).toEqual([1, 2]);
  expect(keys.open(1, seal(a.publicKey, 'k1-random-key-0123456789abcdef'))).toEqual({ ok: true, key: 'k1-random-key-0123456789abcdef' });
  expect(keys.open(2, seal(b.publicKey, 'k2'))).toEqual({ ok: true, key: 'k2' });
  expect(keys.open(1, seal(b.publicKey, 'k2'))).toEqual({ ok: false, reason: 'unreadable_key' });
  expect(keys.open(3, seal(b.publicKey, 'k2'))).toEqual({ ok: false, reason: 'missing_key' });
  expect(keys.open(1, 'bm90IGEgYmxvY2s=')).toEqual({ ok: false, reason: 'unreadable_key' });
});

test('keys as version=path pairs; a bad file names its version; no key at all is refused', () => {
  expect(new ArchiveKeys(`5=${path.join(dir, '1.pem')}, 7=${path.join(dir, '2.pem')}`).versions()).toEqual([5, 7]);
  const bad = path.join(dir, 'bad.pem');
  writeFileSync(bad, '-----BEGIN RSA PRIVATE KEY-----\nnope\n-----END RSA PRIVATE KEY-----\n');
  expect(() => new ArchiveKeys(`3=${bad}`)).toThrow(/key version 3/);
  expect(() => new ArchiveKeys(`3=${bad}`)).toThrow(ArchiveSetupError);
  expect(() => new ArchiveKeys('three=/x.pem')).toThrow(/not version=path/);
  expect(() => new ArchiveKeys(path.join(dir, 'nowhere'))).toThrow(/cannot read the key directory/);
  const empty = mkdtempSync(path.join(tmpdir(), 'wf-keys-empty-'));
  expect(() => new ArchiveKeys(empty)).toThrow(/no <version>.pem key/);
  rmSync(empty, { recursive: true });
  const small = generateKeyPairSync('rsa', { modulusLength: 1024 });
  const smallFile = path.join(dir, 'small.pem');
  writeFileSync(smallFile, small.privateKey.export({ type: 'pkcs1', format: 'pem' }));
  expect(() => new ArchiveKeys(`1=${smallFile}`)).toThrow(/2048 bits or more/);
});

test('every SDK return code and the errcodes we know have a disposition', () => {
  const cases: [number, string][] = [
    [10000, 'stop'],
    [10001, 'retry'],
    [10002, 'retry'],
    [10003, 'retry'],
    [10004, 'stop'],
    [10005, 'retry'],
    [10006, 'park'],
    [10007, 'park'],
    [10008, 'park'],
    [10009, 'stop'],
    [10010, 'gap'],
    [10011, 'stop'],
    [10099, 'retry'],
  ];
  for (const [ret, disposition] of cases) expect(sdkFailure(ret)).toMatchObject({ code: `sdk:${ret}`, disposition });
  const server: [number, string][] = [
    [40001, 'stop'],
    [41001, 'stop'],
    [42001, 'retry'],
    [45009, 'retry'],
    [301042, 'stop'],
    [301052, 'stop'],
    [301053, 'stop'],
    [301058, 'smaller'],
    [99999, 'retry'],
  ];
  for (const [errcode, disposition] of server) expect(serverFailure(errcode, 'x')).toMatchObject({ code: `errcode:${errcode}`, disposition });
  // The hint says what to do, in Chinese and English.
  expect(serverFailure(301042, '').hint).toMatch(/可信IP.*egress IP/);
});
