import { execFileSync } from 'node:child_process';
import { constants, generateKeyPairSync, publicEncrypt, randomBytes } from 'node:crypto';
import { appendFileSync, copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import koffi from 'koffi';

/** The stub of WeCom's archive SDK, built on demand (tools/finance-sdk-stub/build.sh): its path. */
export function stubSdkPath(): string {
  // From tools/sandbox, or from its compiled copy under dist-bench/: the repository's tools/finance-sdk-stub.
  let dir = __dirname;
  while (!existsSync(path.join(dir, 'tools/finance-sdk-stub/build.sh')) && path.dirname(dir) !== dir) dir = path.dirname(dir);
  return execFileSync('bash', [path.join(dir, 'tools/finance-sdk-stub/build.sh')], { encoding: 'utf8' }).trim();
}

/**
 * Points the stub SDK loaded in this process at `dir` (its WECOM_SDK_STUB_DIR, read at Init). The C library reads the
 * process's real environment, which a test runner's `process.env` (a copy) does not reach: libc's setenv does.
 */
export function pointStubAt(dir: string): void {
  process.env.WECOM_SDK_STUB_DIR = dir;
  const setenv = koffi.load('libc.so.6').func('int setenv(const char *name, const char *value, int overwrite)') as (n: string, v: string, o: number) => number;
  setenv('WECOM_SDK_STUB_DIR', dir, 1);
}

/** The stub's test cipher (tools/finance-sdk-stub/stub.c, DecryptData): FNV-1a 32 seeding xorshift32, a 4-byte tag. */
function fnv1a(bytes: Uint8Array, h: number): number {
  for (const b of bytes) h = Math.imul(h ^ b, 16777619) >>> 0;
  return h >>> 0;
}

export function sealForStub(randomKey: string, plaintext: string): string {
  const key = Buffer.from(randomKey, 'latin1');
  const body = Buffer.from(plaintext, 'utf8');
  const keyHash = fnv1a(key, 2166136261);
  const tag = fnv1a(body, fnv1a(Uint8Array.of(0), keyHash));
  const out = Buffer.alloc(4 + body.length);
  out.writeUInt32LE(tag, 0);
  let state = keyHash || 0x9e3779b9;
  for (let i = 0; i < body.length; i += 4) {
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    for (let j = 0; j < 4 && i + j < body.length; j++) out[4 + i + j] = (body[i + j] as number) ^ ((state >>> (8 * j)) & 0xff);
  }
  return out.toString('base64');
}

/** One GetChatData call as the stub logged it (calls.log). */
export interface StubCall {
  pid: number;
  startUs: number;
  endUs: number;
  seq: number;
  limit: number;
  ret: number;
  records: number;
  slicesLive: number;
}

/** A decrypted archive message, as WeCom's JSON has it (msgid, action, from, tolist, roomid, msgtime, msgtype, …). */
export type ArchiveMessage = Record<string, unknown> & { msgtype?: string };

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/**
 * WeCom's chat archive, played by the sandbox: writes the records the stub SDK serves (records.jsonl in the stub's
 * directory), each sealed the way WeCom seals them — a fresh random key, RSA-encrypted (PKCS#1 v1.5) with the
 * company's public key of the record's version, and the message encrypted with that key so that only the stub's
 * DecryptData opens it. Keys: `keys/<ver>.pem` are the company's (WECOM_ARCHIVE_KEYS points there); versions made
 * with `held` are kept in `held-keys/` until `releaseKey` files them (a key the company has not added yet).
 */
export class SandboxArchive {
  private seq: number;
  private readonly publicKeys = new Map<number, string>();
  private msgCounter = 0;

  constructor(
    readonly dir: string,
    opts: { versions?: number[]; held?: number[] } = {},
  ) {
    mkdirSync(path.join(dir, 'keys'), { recursive: true });
    mkdirSync(path.join(dir, 'held-keys'), { recursive: true });
    for (const v of opts.versions ?? [1]) this.ensureKey(v, 'keys');
    for (const v of opts.held ?? []) this.ensureKey(v, 'held-keys');
    const file = this.file('records.jsonl');
    this.seq = existsSync(file) ? readFileSync(file, 'utf8').split('\n').length - 1 : 0;
  }

  /** WECOM_ARCHIVE_KEYS for the bot: the directory of the company's private keys. */
  get keysDir(): string {
    return path.join(this.dir, 'keys');
  }

  /** The last seq written. */
  get lastSeq(): number {
    return this.seq;
  }

  private file(name: string): string {
    return path.join(this.dir, name);
  }

  private ensureKey(version: number, where: 'keys' | 'held-keys'): void {
    const priv = path.join(this.dir, where, `${version}.pem`);
    const pub = path.join(this.dir, `public-${version}.pem`);
    if (!existsSync(priv) || !existsSync(pub)) {
      const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
      writeFileSync(priv, pair.privateKey.export({ type: 'pkcs1', format: 'pem' }));
      writeFileSync(pub, pair.publicKey.export({ type: 'spki', format: 'pem' }));
    }
    this.publicKeys.set(version, readFileSync(pub, 'utf8'));
  }

  /** Files a held key with the company's keys (the admin adds the private key of a version). */
  releaseKey(version: number): void {
    copyFileSync(path.join(this.dir, 'held-keys', `${version}.pem`), path.join(this.keysDir, `${version}.pem`));
  }

  /** Appends messages, sealed with the public key of `version`; answers their seqs. */
  append(messages: ArchiveMessage[], version = 1): number[] {
    const pub = this.publicKeys.get(version);
    if (!pub) throw new Error(`the sandbox archive has no key version ${version}`);
    const seqs: number[] = [];
    const lines = messages.map((m) => {
      const seq = ++this.seq;
      seqs.push(seq);
      const randomKey = Array.from(randomBytes(32), (b) => ALNUM[b % ALNUM.length]).join('');
      const msgid = typeof m.msgid === 'string' ? m.msgid : `sandbox${Date.now()}_${++this.msgCounter}_external`;
      const item = {
        seq,
        msgid,
        publickey_ver: version,
        encrypt_random_key: publicEncrypt({ key: pub, padding: constants.RSA_PKCS1_PADDING }, Buffer.from(randomKey, 'latin1')).toString('base64'),
        encrypt_chat_msg: sealForStub(randomKey, JSON.stringify({ ...m, msgid })),
      };
      return `${JSON.stringify(item)}\n`;
    });
    appendFileSync(this.file('records.jsonl'), lines.join(''));
    return seqs;
  }

  /** How the stub answers from now on (see stub.c): '' or 'ok' to answer normally. */
  setMode(mode: '' | 'ok' | 'no_chatdata' | `ret ${number}` | `errcode ${number}` | `slow ${number}`): void {
    if (mode === '' || mode === 'ok') rmSync(this.file('mode'), { force: true });
    else writeFileSync(this.file('mode'), mode);
  }

  /** The archive Secret the stub requires (WECOM_ARCHIVE_SECRET must match). */
  requireSecret(secret: string): void {
    writeFileSync(this.file('secret'), secret);
  }

  /** Every GetChatData the stub answered, in the order logged. */
  calls(): StubCall[] {
    const file = this.file('calls.log');
    if (!existsSync(file)) return [];
    return readFileSync(file, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => {
        const [pid, startUs, endUs, seq, limit, ret, records, slicesLive] = line.split(' ').map(Number) as number[];
        return { pid, startUs, endUs, seq, limit, ret, records, slicesLive } as StubCall;
      });
  }
}

/** Messages as WeCom's archive has them, for the sandbox, the demo and tests. */
export const archiveMessages = {
  text(o: { from: string; to: string[]; text: string; room?: string; at?: number; msgid?: string }): ArchiveMessage {
    return {
      ...(o.msgid ? { msgid: o.msgid } : {}),
      action: 'send',
      from: o.from,
      tolist: o.to,
      roomid: o.room ?? '',
      msgtime: o.at ?? Date.now(),
      msgtype: 'text',
      text: { content: o.text },
    };
  },
  /** A WeCom voice call (音视频通话) between a member and a customer: `info.callduration` in seconds. */
  call(o: { user: string; external: string; minutes: number; at?: number; fromCustomer?: boolean; msgid?: string }): ArchiveMessage {
    const [from, to] = o.fromCustomer ? [o.external, o.user] : [o.user, o.external];
    return {
      ...(o.msgid ? { msgid: o.msgid } : {}),
      action: 'send',
      from,
      tolist: [to],
      roomid: '',
      msgtime: o.at ?? Date.now(),
      msgtype: 'voiptext',
      info: { callduration: Math.round(o.minutes * 60), invitetype: 2 },
    };
  },
};
