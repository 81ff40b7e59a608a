import { createCipheriv } from 'node:crypto';
import { decrypt } from '@wecom/crypto';
import { decodeCanonicalBase64, decryptVerified, encryptFor, signCallback, verifySignature } from '../../src/wecom/crypto';
import { CallbackError } from '../../src/wecom/errors';
import { VECTOR_A } from '../helpers/config';

const A_POST_ENCRYPT =
  'RypEvHKD8QQKFhvQ6QleEB4J58tiPdvo+rtK1I9qca6aM/wvqnLSV5zEPeusUiX5L5X/0lWfrf0QADHHhGd3QczcdCUpj911L3vg3W/sYYvuJTs3TUUkSUXxaccAS0qhxchrRYt66wiSpGLYL42aM6A8dTT+6k4aSknmPj48kzJs8qLjvd4Xgpue06DOdnLxAUHzM6+kDZ+HMZfJYuR+LtwGc2hgf5gsijff0ekUNXZiqATP7PF5mZxZ3Izoun1s4zG4LUMnvw2r+KqCKIw+3IQH03v+BCA9nMELNqbSf6tiWSrXJB3LAVGUcallcrw8V2t9EL4EhzJWrQUax5wLVMNS0+rUPA3k22Ncx4XXZS9o0MBH27Bo6BpNelZpS+/uh9KsNlY6bHCmJU9p8g7m3fVKn28H3KDYA5Pl/T8Z1ptDAVe0lXdQ2YoyyH2uyPIGHBZZIs2pDBS8R07+qN+E7Q==';
const A_GET_ECHOSTR = 'P9nAzCzyDtyTWESHep1vC5X9xho/qYX3Zpb4yKa9SKld1DsH3Iyt3tP3zNdtp+4RPcs8TgAE7OaBO+FZXvnaqQ==';

const ROBOT = {
  body: 'sKqRbbiSUnDhFHOvPjtUMcw0RmRNkLSpAwtrwZiMb9vVnpG3UVwnmBvcI4Hn9HXYXR+P8ZHkMy5J/emUWEvGEoYyLQ1sHR5gbyfkDv1sPJuwYvXryOyuAT2s0y64qmWqSCi+rxqA2c4Jpx9vFsl8xkSwf0JfF0huG2Z6s1AGgFS8S06CLbMIthQ4sKTzaoMOFv4p779b0bgcQh8N8z6Duig8JKjMdbiK06I3TKmPyBsUZOWKQVwVvY5jtDTkLGjve14QqajYP/JdK5l4W/YNtOoMkO1Kc1JL49K8AhBshNK7x2heD1BX/UO0FVbQDYVpjYlo1sJhKmtMpHlzEns7qA==',
  signature: '53add53c5dd64fad5feaca39915f1bcc39c0baf4',
  getEchostr: 'sKqRbbiSUnDhFHOvPjtUMWzf2R8PrpMiTTPaicBgqZm9eFleDkaZY7LObMBXhUqCcxijQlSKcvc+WpPyowukzA==',
  getSignature: '6d98f64d2824842c066636cbebd890acc6e19099',
};

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    if (err instanceof CallbackError) return err.code;
    return `non-callback error: ${(err as Error).message}`;
  }
  return 'no error';
}

describe('official test vector A', () => {
  test('GET: signature verifies over the decoded echostr and the plaintext is the echo', () => {
    expect(() =>
      verifySignature(VECTOR_A.token, { signature: '5c45ff5e21c57e6ad56bac8758b79b1d9ac89fd3', timestamp: '1409659589', nonce: '263014780' }, A_GET_ECHOSTR),
    ).not.toThrow();
    expect(decryptVerified(VECTOR_A.aesKey, A_GET_ECHOSTR, VECTOR_A.corpId)).toBe('1616140317555161061');
  });

  test('POST: signature and decryption reproduce the documented plaintext', () => {
    expect(signCallback(VECTOR_A.token, '1409659813', '1372623149', A_POST_ENCRYPT)).toBe('477715d11cdb4164915debcba66cb864d751f3e6');
    const plain = decryptVerified(VECTOR_A.aesKey, A_POST_ENCRYPT, VECTOR_A.corpId);
    expect(Buffer.byteLength(plain)).toBe(284);
    expect(plain).toContain('<MsgId>4561255354251345929</MsgId>');
    expect(plain.startsWith('<xml><ToUserName><![CDATA[wx5823bf96d3bd56c7]]></ToUserName>\n')).toBe(true);
  });

  test('the signature compare accepts upper-case hex and rejects a one-character change', () => {
    const q = { timestamp: '1409659813', nonce: '1372623149' };
    expect(() => verifySignature(VECTOR_A.token, { ...q, signature: '477715D11CDB4164915DEBCBA66CB864D751F3E6' }, A_POST_ENCRYPT)).not.toThrow();
    expect(codeOf(() => verifySignature(VECTOR_A.token, { ...q, signature: '477715d11cdb4164915debcba66cb864d751f3e7' }, A_POST_ENCRYPT))).toBe(
      'SIGNATURE_INVALID',
    );
    expect(codeOf(() => verifySignature(VECTOR_A.token, { ...q, signature: '' }, A_POST_ENCRYPT))).toBe('SIGNATURE_MISSING');
    expect(codeOf(() => verifySignature(VECTOR_A.token, { signature: 'abc', timestamp: '1' }, A_POST_ENCRYPT))).toBe('SIGNATURE_MISSING');
    expect(codeOf(() => verifySignature('otherToken', { ...q, signature: '477715d11cdb4164915debcba66cb864d751f3e6' }, A_POST_ENCRYPT))).toBe(
      'SIGNATURE_INVALID',
    );
  });
});

describe('robot vector (receiveid "")', () => {
  test('POST body decrypts to the 100719 text example', () => {
    expect(signCallback(VECTOR_A.token, '1409659813', '1372623149', ROBOT.body)).toBe(ROBOT.signature);
    const plain = decryptVerified(VECTOR_A.aesKey, ROBOT.body, '');
    expect(JSON.parse(plain)).toMatchObject({ msgtype: 'text', text: { content: '@RobotA hello robot' } });
  });
  test('GET echostr decrypts to the echo', () => {
    expect(signCallback(VECTOR_A.token, '1409659589', '263014780', ROBOT.getEchostr)).toBe(ROBOT.getSignature);
    expect(decryptVerified(VECTOR_A.aesKey, ROBOT.getEchostr, '')).toBe('1616140317555161061');
  });
  test('a robot ciphertext checked as an app callback is a receiveid mismatch, and vice versa', () => {
    expect(codeOf(() => decryptVerified(VECTOR_A.aesKey, ROBOT.body, VECTOR_A.corpId))).toBe('RECEIVEID_MISMATCH');
    expect(codeOf(() => decryptVerified(VECTOR_A.aesKey, A_POST_ENCRYPT, ''))).toBe('RECEIVEID_MISMATCH');
  });
});

describe('round trips', () => {
  test.each([
    ['ascii', 'hello', 'corp'],
    ['chinese', '电话 王总 20分钟 方案下周三定', 'wwcorp'],
    ['empty receiveid', '{"a":1}', ''],
    ['exactly 32-byte aligned', 'x'.repeat(32 - 20 - 4), 'abcd'],
    ['large', '客'.repeat(20000), 'corp'],
  ])('%s', (_name, message, id) => {
    const enc = encryptFor(VECTOR_A.aesKey, message, id);
    expect(Buffer.from(enc, 'base64').length % 32).toBe(0);
    expect(decryptVerified(VECTOR_A.aesKey, enc, id)).toBe(message);
  });
});

describe('hostile inputs are clean CallbackErrors, never crashes or garbage', () => {
  const otherKey = 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG';
  const good = encryptFor(VECTOR_A.aesKey, '<xml><a>1</a></xml>', VECTOR_A.corpId);
  const raw = Buffer.from(good, 'base64');

  // A ciphertext with a valid AES structure but a lying msg_len / bad padding, made with the key itself.
  const { random } = decrypt(VECTOR_A.aesKey, good);
  const forge = (plain: Buffer) => {
    const key = Buffer.from(`${VECTOR_A.aesKey}=`, 'base64');
    const c = createCipheriv('aes-256-cbc', key, key.subarray(0, 16));
    c.setAutoPadding(false);
    return Buffer.concat([c.update(plain), c.final()]).toString('base64');
  };
  const lenPastEnd = (() => {
    const body = Buffer.concat([random, Buffer.from([0, 0, 0x10, 0]), Buffer.from('hi'), Buffer.from(VECTOR_A.corpId)]);
    const pad = 32 - (body.length % 32);
    return forge(Buffer.concat([body, Buffer.alloc(pad, pad)]));
  })();
  const badPadding = (() => {
    const body = Buffer.concat([random, Buffer.from([0, 0, 0, 2]), Buffer.from('hi'), Buffer.from(VECTOR_A.corpId)]);
    const pad = 32 - (body.length % 32);
    return forge(Buffer.concat([body, Buffer.alloc(pad, 0x7f)]));
  })();

  test.each([
    ['wrong key', () => decryptVerified(otherKey, good, VECTOR_A.corpId), 'DECRYPT_FAILED'],
    ['truncated base64', () => decryptVerified(VECTOR_A.aesKey, good.slice(0, good.length - 7), VECTOR_A.corpId), 'DECRYPT_FAILED'],
    [
      'truncated by one AES block',
      () => decryptVerified(VECTOR_A.aesKey, raw.subarray(0, raw.length - 16).toString('base64'), VECTOR_A.corpId),
      'DECRYPT_FAILED',
    ],
    ['not base64', () => decryptVerified(VECTOR_A.aesKey, '!!!not-base64!!!', VECTOR_A.corpId), 'DECRYPT_FAILED'],
    ['empty', () => decryptVerified(VECTOR_A.aesKey, '', VECTOR_A.corpId), 'DECRYPT_FAILED'],
    ['one block only', () => decryptVerified(VECTOR_A.aesKey, raw.subarray(0, 16).toString('base64'), VECTOR_A.corpId), 'DECRYPT_FAILED'],
    ['msg_len past the end', () => decryptVerified(VECTOR_A.aesKey, lenPastEnd, VECTOR_A.corpId), 'DECRYPT_FAILED'],
    ['bad padding', () => decryptVerified(VECTOR_A.aesKey, badPadding, VECTOR_A.corpId), 'DECRYPT_FAILED'],
    [
      'flipped byte',
      () => decryptVerified(VECTOR_A.aesKey, Buffer.from(raw.map((b, i) => (i === 20 ? b ^ 1 : b))).toString('base64'), VECTOR_A.corpId),
      'DECRYPT_FAILED',
    ],
    ['wrong receiveid', () => decryptVerified(VECTOR_A.aesKey, good, 'someoneelse'), 'RECEIVEID_MISMATCH'],
    [
      'stray bits after the last base64 byte',
      () => decryptVerified(VECTOR_A.aesKey, `${good.slice(0, -2)}${good.at(-2) === 'A' ? 'B' : 'A'}=`, VECTOR_A.corpId),
      'DECRYPT_FAILED',
    ],
    ['a line break inside the base64', () => decryptVerified(VECTOR_A.aesKey, `${good.slice(0, 40)}\n${good.slice(41)}`, VECTOR_A.corpId), 'DECRYPT_FAILED'],
    [
      'a message that is not UTF-8',
      () => {
        const body = Buffer.concat([random, Buffer.from([0, 0, 0, 3]), Buffer.from([0xff, 0xfe, 0x41]), Buffer.from(VECTOR_A.corpId)]);
        const pad = 32 - (body.length % 32);
        return decryptVerified(VECTOR_A.aesKey, forge(Buffer.concat([body, Buffer.alloc(pad, pad)])), VECTOR_A.corpId);
      },
      'DECRYPT_FAILED',
    ],
  ])('%s', (_name, fn, code) => {
    expect(codeOf(fn)).toBe(code);
  });

  test('a leading BOM in the message is kept, as the bytes say', () => {
    expect(decryptVerified(VECTOR_A.aesKey, encryptFor(VECTOR_A.aesKey, '\ufeff<xml/>', 'corp'), 'corp')).toBe('\ufeff<xml/>');
  });

  test('one AES pass accepts exactly what a byte-identical re-encryption accepts (3,000 forged plaintexts)', () => {
    // The reference: the library's decrypt, then its encrypt with the same random must give the same ciphertext.
    const reference = (enc: string, id: string): string | undefined => {
      try {
        const r = decrypt(VECTOR_A.aesKey, enc);
        return encryptFor(VECTOR_A.aesKey, r.message, r.id, r.random) === enc && r.id === id ? r.message : undefined;
      } catch {
        return undefined;
      }
    };
    let seed = 7;
    const rnd = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) >>> 12) % n; // the high bits: an LCG’s low bits cycle
    let accepted = 0;
    for (let i = 0; i < 3000; i++) {
      // ASCII and Chinese, now and then a stray byte that is not UTF-8.
      const msg = Buffer.concat(
        Array.from({ length: rnd(40) }, () =>
          rnd(150) === 0 ? Buffer.from([0x80 + rnd(128)]) : Buffer.from(rnd(3) === 0 ? '客' : String.fromCharCode(0x20 + rnd(90))),
        ),
      );
      const id = Buffer.from(rnd(5) === 0 ? '' : VECTOR_A.corpId);
      const len = Buffer.alloc(4);
      len.writeUInt32BE(rnd(4) === 0 ? Math.max(0, msg.length + rnd(9) - 4) : msg.length);
      const body = Buffer.concat([random, len, msg, id]);
      let pad = 32 - (body.length % 32);
      const mode = rnd(6);
      if (mode === 0) pad += 32; // a whole extra block of padding
      const padding = Buffer.alloc(pad, mode === 1 ? (pad % 32) + 1 : pad > 32 ? 0 : pad);
      if (mode === 2 && pad > 1) padding[0] = (padding[0] as number) ^ 1;
      const enc = forge(Buffer.concat([body, padding]));
      const want = reference(enc, VECTOR_A.corpId);
      let got: string | undefined;
      try {
        got = decryptVerified(VECTOR_A.aesKey, enc, VECTOR_A.corpId);
      } catch {
        got = undefined;
      }
      expect(got).toBe(want);
      if (want !== undefined) accepted++;
    }
    expect(accepted).toBeGreaterThan(500);
  });

  test('decodeCanonicalBase64 accepts exactly the texts that re-encode to themselves (20,000 mutated texts)', () => {
    const reference = (text: string) => text.length > 0 && Buffer.from(text, 'base64').toString('base64') === text;
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
    const noise = `${alphabet}${alphabet}====-_ \n*.`;
    let seed = 11;
    const rnd = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) >>> 12) % n;
    let canonical = 0;
    const disagreements: string[] = [];
    for (let i = 0; i < 20_000; i++) {
      const chars = [...Buffer.from(Array.from({ length: rnd(12) }, () => rnd(256))).toString('base64')];
      for (let m = rnd(3); m > 0; m--) {
        const at = rnd(chars.length + 1);
        const op = rnd(3);
        const c = noise.charAt(rnd(noise.length));
        if (op === 0) chars.splice(at, 1, c);
        else if (op === 1) chars.splice(at, 0, c);
        else chars.splice(at, 1);
      }
      const text = chars.join('');
      const got = decodeCanonicalBase64(text);
      if ((got !== undefined) !== reference(text) || (got && got.toString('base64') !== text)) disagreements.push(text);
      if (got) canonical++;
    }
    expect(disagreements).toEqual([]);
    expect(canonical).toBeGreaterThan(5_000);
  });

  test('the library alone would have accepted the wrong key (why we verify)', () => {
    expect(() => decrypt(otherKey, good)).not.toThrow();
  });
});
