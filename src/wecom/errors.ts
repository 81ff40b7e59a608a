/** Stable reason codes for callbacks we refuse. Each maps to one HTTP status in src/http. */
export type CallbackRejection =
  | 'SIGNATURE_MISSING'
  | 'SIGNATURE_INVALID'
  | 'RECEIVEID_MISMATCH'
  | 'DECRYPT_FAILED'
  | 'ENVELOPE_MALFORMED'
  | 'PAYLOAD_MALFORMED'
  | 'BODY_TOO_LARGE';

export class CallbackError extends Error {
  constructor(
    readonly code: CallbackRejection,
    message: string,
  ) {
    super(message);
    this.name = 'CallbackError';
  }
}
