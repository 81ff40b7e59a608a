import type { ErrorDisposition } from './api-errors';

/**
 * WeCom's external contact ids (customers) start with `wm` or `wo`; members' userids are the company's own. A member
 * whose userid has that shape would be taken for a customer — README's known limits say so.
 */
export const isExternalUserId = (id: string): boolean => /^w[mo][A-Za-z0-9_-]{6,}$/.test(id);

/**
 * A message addressed to anyone but named members of the company. The product never messages a customer: this is
 * refused before any call reaches WeCom, whoever asked for it.
 */
export class RecipientRefusedError extends Error {
  readonly disposition: ErrorDisposition = 'permanent';
  readonly code = 'RECIPIENT_REFUSED';
  constructor(
    /** Why: an external (customer) id, a broadcast (@all), or no recipient at all. */
    readonly why: 'external_id' | 'broadcast' | 'empty',
  ) {
    super(
      `message refused: the recipient is ${why === 'external_id' ? 'an external contact (customer)' : why === 'broadcast' ? 'a broadcast (@all)' : 'missing'}`,
    );
    this.name = 'RecipientRefusedError';
  }
}

/**
 * The one guard at the send boundary: every recipient of a message (touser, `|`-separated) must be a named member.
 * Throws RecipientRefusedError otherwise. The API client checks every send and card update with it; the send queue
 * checks again when a message is queued, so a caller's mistake fails where it was made.
 */
export function assertMemberRecipients(touser: string | readonly string[] | undefined): void {
  const list = typeof touser === 'string' ? touser.split('|') : [...(touser ?? [])];
  const ids = list.map((u) => u.trim()).filter(Boolean);
  if (ids.length === 0) throw new RecipientRefusedError('empty');
  if (ids.some((u) => u.toLowerCase() === '@all')) throw new RecipientRefusedError('broadcast');
  if (ids.some(isExternalUserId)) throw new RecipientRefusedError('external_id');
}
