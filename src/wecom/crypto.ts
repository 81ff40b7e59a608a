import { createDecipheriv, createHash, hash, timingSafeEqual } from 'node:crypto';
import { encrypt, getSignature } from '@wecom/crypto';
import { CallbackError } from './errors';

/** WeCom's msg_signature: sha1 over the sorted (token, timestamp, nonce, encrypt). */
export function signCallback(token: string, timestamp: string, nonce: string, encrypted: string): string {
  return getSignature(token, timestamp, nonce, encrypted);
}

/** Constant-time check of msg_signature; throws CallbackError. */
export function verifySignature(token: string, q: { signature?: string; timestamp?: string; nonce?: string }, encrypted: string): void {
  if (!q.signature || q.timestamp === undefined || q.nonce === undefined) {
    throw new CallbackError('SIGNATURE_MISSING', 'msg_signature, timestamp and nonce are required');
  }
  const expected = Buffer.from(signCallback(token, q.timestamp, q.nonce, encrypted), 'utf8');
  const given = Buffer.from(q.signature.toLowerCase(), 'utf8');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    throw new CallbackError('SIGNATURE_INVALID', 'msg_signature does not match');
  }
}

/** The AES key and IV of an EncodingAESKey (43 base64 characters → 32 bytes; the IV is its first 16), parsed once. */
const aesKeys = new Map<string, { key: Buffer; iv: Buffer }>();
function aesKeyOf(encodingAESKey: string): { key: Buffer; iv: Buffer } {
  let k = aesKeys.get(encodingAESKey);
  if (!k) {
    const key = Buffer.from(`${encodingAESKey}=`, 'base64');
    if (key.length !== 32) throw new CallbackError('DECRYPT_FAILED', 'EncodingAESKey does not decode to 32 bytes');
    k = { key, iv: key.subarray(0, 16) };
    if (aesKeys.size < 16) aesKeys.set(encodingAESKey, k);
  }
  return k;
}

/** UTF-8 that refuses malformed bytes (a wrong key decrypts to noise) and keeps a leading BOM as it is. */
const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * Decrypts a WeCom ciphertext and proves the result, in one AES pass. WeCom's format (and @wecom/crypto's `encrypt`,
 * which the sandbox uses): AES-256-CBC, no cipher padding, over random(16) ‖ msg_len(4, big-endian) ‖ msg ‖ receiveid
 * ‖ PKCS#7 padding to a multiple of 32 bytes. The library's `decrypt` checks none of it and returns garbage for a
 * wrong key; here every part is checked — canonical base64, whole 32-byte blocks, canonical padding, msg_len within
 * the plaintext, well-formed UTF-8 — exactly what a byte-identical re-encryption would prove, without the second AES
 * pass. Then the receiveid is compared (corp id for the app, "" for the intelligent robot).
 */
export function decryptVerified(aesKey: string, encrypted: string, expectedReceiveId: string): string {
  // Node's decoder skips characters outside the alphabet (the decoded length below then falls short) and reads the
  // URL-safe "-" and "_" as "+" and "/": those are refused here, so only the canonical text decodes.
  if (encrypted.length === 0 || encrypted.length % 4 !== 0 || encrypted.includes('-') || encrypted.includes('_')) {
    throw new CallbackError('DECRYPT_FAILED', 'ciphertext is not base64');
  }
  const byteLength = (encrypted.length / 4) * 3 - (encrypted.endsWith('==') ? 2 : encrypted.endsWith('=') ? 1 : 0);
  if (byteLength < 32 || byteLength % 32 !== 0) {
    throw new CallbackError('DECRYPT_FAILED', `ciphertext length ${byteLength} is not a whole number of 32-byte blocks`);
  }
  const cipherText = Buffer.from(encrypted, 'base64');
  // Canonical encoding: the last quantum re-encodes to the same characters (no stray bits after the last byte).
  const tail = byteLength - (byteLength % 3 || 3);
  if (cipherText.length !== byteLength || cipherText.subarray(tail).toString('base64') !== encrypted.slice((tail / 3) * 4)) {
    throw new CallbackError('DECRYPT_FAILED', 'ciphertext is not canonical base64');
  }
  const { key, iv } = aesKeyOf(aesKey);
  let plain: Buffer;
  try {
    const decipher = createDecipheriv('aes-256-cbc', key, iv);
    decipher.setAutoPadding(false);
    plain = Buffer.concat([decipher.update(cipherText), decipher.final()]);
  } catch (err) {
    throw new CallbackError('DECRYPT_FAILED', `AES decryption failed: ${(err as Error).message}`);
  }
  const pad = plain[plain.length - 1] as number;
  let padded = pad >= 1 && pad <= 32;
  for (let i = 2; padded && i <= pad; i++) padded = plain[plain.length - i] === pad;
  const body = plain.subarray(0, plain.length - pad);
  const msgLength = padded && body.length >= 20 ? body.readUInt32BE(16) : -1;
  if (!padded || msgLength < 0 || 20 + msgLength > body.length) {
    throw new CallbackError('DECRYPT_FAILED', 'bad padding, msg_len or key');
  }
  let message: string;
  let receiveId: string;
  try {
    message = UTF8.decode(body.subarray(20, 20 + msgLength));
    receiveId = UTF8.decode(body.subarray(20 + msgLength));
  } catch {
    throw new CallbackError('DECRYPT_FAILED', 'the plaintext is not UTF-8 (wrong key?)');
  }
  if (receiveId !== expectedReceiveId) {
    throw new CallbackError('RECEIVEID_MISMATCH', 'receiveid does not match this app');
  }
  return message;
}

/** Encrypts a plaintext for WeCom (passive replies; the sandbox's callback driver). */
export function encryptFor(aesKey: string, plaintext: string, receiveId: string, random?: Buffer): string {
  return encrypt(aesKey, plaintext, receiveId, random);
}

/**
 * Node's one-shot `crypto.hash` (Node ≥ 20.12) costs half of a `createHash` object for a callback-sized input: the
 * webhook hashes every event's plaintext for its key.
 */
const oneShotHash = typeof hash === 'function' ? hash : undefined;

export function sha256Hex(text: string): string {
  return oneShotHash ? oneShotHash('sha256', text, 'hex') : createHash('sha256').update(text).digest('hex');
}
