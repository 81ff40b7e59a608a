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
    mixed: z
      .object({ item: z.array(z.object({ type: z.string(), content: z.string() }).partial()) })
      .partial()
      .optional(),
    info: z.object({ callduration: z.number().nonnegative() }).partial().passthrough().optional(),
    voiptext: z.object({ callduration: z.number().nonnegative() }).partial().passthrough().optional(),
    meeting_voice_call: z.object({ endtime: z.number() }).partial().passthrough().optional(),
    revoke: z.object({ pre_msgid: z.string() }).partial().optional(),
    agree: z.object({ userid: z.string() }).partial().passthrough().optional(),
    disagree: z.object({ userid: z.string() }).partial().passthrough().optional(),
  })
  .passthrough();

/** A mixed message's text parts (each item's content is itself JSON: {"content": "…"}). */
function mixedText(items: { type?: string; content?: string }[] | undefined): string | undefined {
  const parts = (items ?? []).flatMap((it) => {
    if (it.type !== 'text' || !it.content) return [];
    try {
      const c = (JSON.parse(it.content) as { content?: unknown }).content;
      return typeof c === 'string' ? [c] : [];
    } catch {
      return [];
    }
  });
  return parts.length ? parts.join(' ') : undefined;
}

/** A raw record as the ledger takes it (text capped), or undefined when it is not one. Cheap: no text is read. */
export function toArchiveRecord(raw: unknown): ArchiveRecord | undefined {
  const r = recordSchema.safeParse(raw);
  if (!r.success) return undefined;
  const d = r.data;
  const text = (d.msgtype === 'text' ? d.text?.content : d.msgtype === 'mixed' ? mixedText(d.mixed?.item) : undefined)?.slice(0, ARCHIVE_TEXT_CHARS);
  // voiptext's duration is under `info` (some SDK ports: `voiptext`); a recorded call runs from msgtime to its endtime.
  const callSeconds =
    d.msgtype === 'voiptext'
      ? (d.info?.callduration ?? d.voiptext?.callduration)
      : d.msgtype === 'meeting_voice_call' && d.meeting_voice_call?.endtime
        ? Math.max(0, Math.round(d.meeting_voice_call.endtime - d.msgtime / 1000))
        : undefined;
  const recalls = d.action === 'recall' ? d.revoke?.pre_msgid : undefined;
  const consentOf = d.msgtype === 'agree' ? d.agree : d.msgtype === 'disagree' ? d.disagree : undefined;
  const consent = consentOf ? { userid: consentOf.userid ?? d.from, agreed: d.msgtype === 'agree' } : undefined;
  return {
    msgid: d.msgid,
    action: d.action,
    from: d.from,
    tolist: d.tolist,
    roomid: d.roomid,
    msgtime: d.msgtime,
    msgtype: d.msgtype,
    ...(text !== undefined ? { text } : {}),
    ...(callSeconds !== undefined ? { callSeconds } : {}),
    ...(recalls ? { recalls } : {}),
    ...(consent ? { consent } : {}),
  };
}

/**
 * The stored form of a record in the inbox (ReceivedCallback.plaintext of channel 'archive'): WeCom's own shape, with
 * the text capped, so the worker reads it with the same toArchiveRecord.
 */
export const encodeArchiveRecord = ({ text, callSeconds, recalls, consent, ...r }: ArchiveRecord): string =>
  JSON.stringify({
    ...r,
    ...(text !== undefined
      ? r.msgtype === 'mixed'
        ? { mixed: { item: [{ type: 'text', content: JSON.stringify({ content: text }) }] } }
        : { text: { content: text } }
      : {}),
    ...(callSeconds !== undefined
      ? r.msgtype === 'meeting_voice_call'
        ? { meeting_voice_call: { endtime: r.msgtime / 1000 + callSeconds } }
        : { info: { callduration: callSeconds } }
      : {}),
    ...(recalls ? { revoke: { pre_msgid: recalls } } : {}),
    ...(consent ? { [consent.agreed ? 'agree' : 'disagree']: { userid: consent.userid } } : {}),
  });

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
