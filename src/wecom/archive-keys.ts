import { constants, createPrivateKey, privateDecrypt, type KeyObject } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import type { ArchiveKeyRing } from '../app/ports';
import { ArchiveSetupError } from './finance-sdk';

/**
 * Where the keys are, as WECOM_ARCHIVE_KEYS says: a directory of `<version>.pem` files, or `version=path` pairs
 * separated by commas (`1=/keys/old.pem,2=/keys/new.pem`).
 */
function keyFiles(spec: string): { version: number; file: string }[] {
  const pairs = spec.includes('=');
  if (!pairs) {
    let names: string[];
    try {
      if (!statSync(spec).isDirectory()) throw new Error('not a directory');
      names = readdirSync(spec);
    } catch (err) {
      throw new ArchiveSetupError('ARCHIVE_KEYS_INVALID', `WECOM_ARCHIVE_KEYS: cannot read the key directory ${spec}: ${(err as Error).message}`);
    }
    return names.flatMap((name) => {
      const m = /^(\d{1,6})\.pem$/.exec(name);
      return m ? [{ version: Number(m[1]), file: path.join(spec, name) }] : [];
    });
  }
  return spec
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((pair) => {
      const m = /^(\d{1,6})=(.+)$/.exec(pair);
      if (!m) throw new ArchiveSetupError('ARCHIVE_KEYS_INVALID', `WECOM_ARCHIVE_KEYS: "${pair}" is not version=path`);
      return { version: Number(m[1]), file: m[2] as string };
    });
}

function loadKey(version: number, file: string): KeyObject {
  let key: KeyObject;
  try {
    key = createPrivateKey(readFileSync(file));
  } catch (err) {
    throw new ArchiveSetupError(
      'ARCHIVE_KEYS_INVALID',
      `WECOM_ARCHIVE_KEYS: key version ${version} (${file}) is not a PEM private key: ${(err as Error).message}`,
    );
  }
  const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
  if (key.asymmetricKeyType !== 'rsa' || bits < 2048)
    throw new ArchiveSetupError('ARCHIVE_KEYS_INVALID', `WECOM_ARCHIVE_KEYS: key version ${version} (${file}) must be an RSA key of 2048 bits or more`);
  return key;
}

/**
 * RSA PKCS#1 v1.5 decryption of encrypt_random_key. Node 20 refuses RSA_PKCS1_PADDING for private decryption (a fix
 * for the Marvin timing attack), so the block is decrypted raw and its padding — 00 02, eight or more non-zero
 * bytes, 00, the message — checked here. What WeCom encrypted is 00 02 … 00 key; anything else is `undefined`.
 */
export function openPkcs1(key: KeyObject, encrypted: Buffer): Buffer | undefined {
  const size = (key.asymmetricKeyDetails?.modulusLength ?? 0) / 8;
  if (encrypted.length !== size) return undefined;
  let block: Buffer;
  try {
    block = privateDecrypt({ key, padding: constants.RSA_NO_PADDING }, encrypted);
  } catch {
    return undefined;
  }
  if (block.length !== size || block[0] !== 0 || block[1] !== 2) return undefined;
  const end = block.indexOf(0, 2);
  if (end < 10) return undefined;
  return block.subarray(end + 1);
}

/** The company's archive keys by version (ArchiveKeyRing), from WECOM_ARCHIVE_KEYS; a bad file stops the role at start. */
export class ArchiveKeys implements ArchiveKeyRing {
  private keys = new Map<number, KeyObject>();

  constructor(private readonly spec: string) {
    this.reload();
  }

  versions(): number[] {
    return [...this.keys.keys()].sort((a, b) => a - b);
  }

  reload(): number[] {
    const next = new Map<number, KeyObject>();
    for (const { version, file } of keyFiles(this.spec)) next.set(version, loadKey(version, file));
    if (next.size === 0) throw new ArchiveSetupError('ARCHIVE_KEYS_INVALID', `WECOM_ARCHIVE_KEYS: no <version>.pem key in ${this.spec}`);
    this.keys = next;
    return this.versions();
  }

  open(version: number, encryptedRandomKey: string): { ok: true; key: string } | { ok: false; reason: 'missing_key' | 'unreadable_key' } {
    const key = this.keys.get(version);
    if (!key) return { ok: false, reason: 'missing_key' };
    const opened = openPkcs1(key, Buffer.from(encryptedRandomKey, 'base64'));
    // The SDK takes the random key as a C string: it must be text without NULs.
    if (!opened || opened.length === 0 || opened.includes(0)) return { ok: false, reason: 'unreadable_key' };
    return { ok: true, key: opened.toString('latin1') };
  }
}
