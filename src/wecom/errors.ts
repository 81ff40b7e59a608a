/** Stable reason codes for callbacks we refuse. Each maps to one HTTP status in src/http. */
export type CallbackRejection =
  | 'SIGNATURE_MISSING'
  | 'SIGNATURE_INVALID'
  | 'RECEIVEID_MISMATCH'
  | 'DECRYPT_FAILED'
  | 'ENVELOPE_MALFORMED'
  | 'PAYLOAD_MALFORMED'
  | 'BODY_TOO_LARGE'
  /** The signed timestamp is outside the freshness window (a replay, or a badly wrong clock). */
  | 'TIMESTAMP_STALE'
  /** A URL verification whose echostr does not decrypt to an echo (a captured POST's Encrypt, say): never echoed. */
  | 'ECHOSTR_INVALID';

export class CallbackError extends Error {
  constructor(
    readonly code: CallbackRejection,
    message: string,
  ) {
    super(message);
    this.name = 'CallbackError';
  }
}
