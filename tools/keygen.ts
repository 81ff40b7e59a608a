/**
 * npm run keygen — secrets for .env: an EncodingAESKey (43 characters of [A-Za-z0-9], what WeCom's admin console
 * takes and generates), a callback Token, and admin/archive tokens. Paste them into .env and into WeCom's console.
 */
import { randomBytes } from 'node:crypto';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
/** Uniform over the alphabet: bytes ≥ 248 (= 4 × 62) are drawn again. */
function random(length: number): string {
  let out = '';
  while (out.length < length) for (const b of randomBytes(length)) if (b < 248 && out.length < length) out += ALPHABET[b % 62];
  return out;
}

console.log(`WECOM_AES_KEY=${random(43)}`);
console.log(`WECOM_TOKEN=${random(32)}`);
console.log(`ADMIN_TOKEN=${random(40)}`);
console.log(`ARCHIVE_SECRET=${random(40)}`);
