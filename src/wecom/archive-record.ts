import { z } from 'zod';
import { CallbackError } from './errors';
import type { ArchiveMessageEvent, ArchiveRecord } from './events';

/**
 * How much of an archived message's text is kept: far more than the reader reads (src/domain/signals/reader.ts), so
 * nothing it could use is lost, and no record, however long, grows the inbox or a lead beyond it.
 */
export const ARCHIVE_TEXT_CHARS = 4000;

/** One decrypted chat-archive record, as WeCom's archive SDK returns it (only what we use is checked). */
const recordSchema = z
  .object({
    msgid: z.string().min(1).max(256),
    action: z.string().max(32),
    from: z.string().min(1).max(256),
    tolist: z.array(z.string().max(256)).max(2000).default([]),
    roomid: z.string().max(256).optional().default(''),
    msgtime: z.number().int().positive(),
    msgtype: z.string().max(64),
    text: z.object({ content: z.string() }).partial().optional(),
  })
  .passthrough();

/** A raw record as the ledger takes it (text capped), or undefined when it is not one. Cheap: no text is read. */
export function toArchiveRecord(raw: unknown): ArchiveRecord | undefined {
  const r = recordSchema.safeParse(raw);
  if (!r.success) return undefined;
  const d = r.data;
  const text = d.msgtype === 'text' ? d.text?.content?.slice(0, ARCHIVE_TEXT_CHARS) : undefined;
  return {
    msgid: d.msgid,
    action: d.action,
    from: d.from,
    tolist: d.tolist,
    roomid: d.roomid,
    msgtime: d.msgtime,
    msgtype: d.msgtype,
    ...(text !== undefined ? { text } : {}),
  };
}

/**
 * The stored form of a record in the inbox (ReceivedCallback.plaintext of channel 'archive'): WeCom's own shape, with
 * the text capped, so the worker reads it with the same toArchiveRecord.
 */
export const encodeArchiveRecord = ({ text, ...r }: ArchiveRecord): string =>
  JSON.stringify({ ...r, ...(text !== undefined ? { text: { content: text } } : {}) });

export function decodeArchivePlaintext(plaintext: string): ArchiveMessageEvent {
  let raw: unknown;
  try {
    raw = JSON.parse(plaintext);
  } catch {
    throw new CallbackError('PAYLOAD_MALFORMED', 'archive record is not JSON');
  }
  const record = toArchiveRecord(raw);
  if (!record) throw new CallbackError('PAYLOAD_MALFORMED', 'archive record lacks msgid, from, msgtime or msgtype');
  return { kind: 'archive_message', createTime: Math.floor(record.msgtime / 1000), record };
}

/** The inbox key of an archived message: one per msgid, whichever batch or puller brings it. */
export const archiveCallbackId = (msgid: string) => `archive-${msgid}`;
