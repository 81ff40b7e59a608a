import { createHash, timingSafeEqual } from 'node:crypto';
import { decrypt, encrypt, getSignature } from '@wecom/crypto';
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

/**
 * Decrypts a WeCom ciphertext with @wecom/crypto and proves the result: the library checks neither the padding, nor
 * msg_len, nor the receiveid, and returns garbage for a wrong key. We re-encrypt the result with the random it
 * carried; only a byte-identical ciphertext counts as a valid decryption. Then the receiveid is compared
 * (corp id for the app, "" for the intelligent robot).
 */
export function decryptVerified(aesKey: string, encrypted: string, expectedReceiveId: string): string {
  // Shape only; any other non-base64 content cannot survive the round-trip check below.
  if (encrypted.length === 0 || encrypted.length % 4 !== 0) {
    throw new CallbackError('DECRYPT_FAILED', 'ciphertext is not base64');
  }
  const byteLength = (encrypted.length / 4) * 3 - (encrypted.endsWith('==') ? 2 : encrypted.endsWith('=') ? 1 : 0);
  if (byteLength < 32 || byteLength % 16 !== 0) {
    throw new CallbackError('DECRYPT_FAILED', `ciphertext length ${byteLength} is not a whole number of AES blocks`);
  }
  let result: ReturnType<typeof decrypt>;
  try {
    result = decrypt(aesKey, encrypted);
  } catch (err) {
    throw new CallbackError('DECRYPT_FAILED', `AES decryption failed: ${(err as Error).message}`);
  }
  let again: string;
  try {
    again = encrypt(aesKey, result.message, result.id, result.random);
  } catch (err) {
    throw new CallbackError('DECRYPT_FAILED', `AES re-encryption failed: ${(err as Error).message}`);
  }
  if (again !== encrypted) {
    throw new CallbackError('DECRYPT_FAILED', 'bad padding, msg_len or key (decryption does not round-trip)');
  }
  if (result.id !== expectedReceiveId) {
    throw new CallbackError('RECEIVEID_MISMATCH', 'receiveid does not match this app');
  }
  return result.message;
}

/** Encrypts a plaintext for WeCom (passive replies; the sandbox's callback driver). */
export function encryptFor(aesKey: string, plaintext: string, receiveId: string, random?: Buffer): string {
  return encrypt(aesKey, plaintext, receiveId, random);
}

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
