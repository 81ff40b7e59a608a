import { isUtf8 } from 'node:buffer';
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

const BASE64_DIGITS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/**
 * The bytes of canonical base64 (the standard alphabet, padded, no stray bits), or undefined: exactly the texts
 * that decode and re-encode to themselves, without the re-encoding. Node's decoder skips characters outside the
 * alphabet and stops at a "=" inside the text (the decoded length then falls short), and reads the URL-safe "-" and
 * "_" as "+" and "/" (refused here); in a canonical text the digit before the padding carries no bits beyond the last
 * byte.
 */
export function decodeCanonicalBase64(text: string): Buffer | undefined {
  if (text.length === 0 || text.length % 4 !== 0 || text.includes('-') || text.includes('_')) return undefined;
  const padding = text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0;
  const bytes = Buffer.from(text, 'base64');
  if (bytes.length !== (text.length / 4) * 3 - padding) return undefined;
  if (padding > 0 && (BASE64_DIGITS.indexOf(text.charAt(text.length - padding - 1)) & (padding === 2 ? 0x0f : 0x03)) !== 0) return undefined;
  return bytes;
}

/**
 * Decrypts a WeCom ciphertext and proves the result, in one AES pass. WeCom's format (and @wecom/crypto's `encrypt`,
 * which the sandbox uses): AES-256-CBC, no cipher padding, over random(16) ‖ msg_len(4, big-endian) ‖ msg ‖ receiveid
 * ‖ PKCS#7 padding to a multiple of 32 bytes. The library's `decrypt` checks none of it and returns garbage for a
 * wrong key; here every part is checked — canonical base64, whole 32-byte blocks, canonical padding, msg_len within
 * the plaintext, well-formed UTF-8 (a wrong key decrypts to noise) — exactly what a byte-identical re-encryption
 * would prove, without the second AES pass. Then the receiveid is compared (corp id for the app, "" for the
 * intelligent robot).
 */
export function decryptVerified(aesKey: string, encrypted: string, expectedReceiveId: string): string {
  const cipherText = decodeCanonicalBase64(encrypted);
  if (!cipherText) throw new CallbackError('DECRYPT_FAILED', 'ciphertext is not canonical base64');
  if (cipherText.length < 32 || cipherText.length % 32 !== 0) {
    throw new CallbackError('DECRYPT_FAILED', `ciphertext length ${cipherText.length} is not a whole number of 32-byte blocks`);
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
  const messageBytes = body.subarray(20, 20 + msgLength);
  const receiveIdBytes = body.subarray(20 + msgLength);
  if (!isUtf8(messageBytes) || !isUtf8(receiveIdBytes)) {
    throw new CallbackError('DECRYPT_FAILED', 'the plaintext is not UTF-8 (wrong key?)');
  }
  // Proved well-formed above, so toString replaces nothing; it keeps a leading BOM, as the bytes say.
  const message = messageBytes.toString('utf8');
  const receiveId = receiveIdBytes.toString('utf8');
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
