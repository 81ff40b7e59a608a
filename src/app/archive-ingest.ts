import { z } from 'zod';
import type { TimelineEntry } from '../domain/timeline';
import type { ArchiveIntake, ArchiveResult, GroupRepository, LeadRepository } from './ports';
import type { CustomerSignals } from './customer-signals';
import { isExternalUserId } from '../wecom/recipients';

/** One decrypted chat-archive record, as WeCom's archive SDK returns it (only what we use is checked). */
const recordSchema = z
  .object({
    msgid: z.string().min(1),
    action: z.string(),
    from: z.string().min(1),
    tolist: z.array(z.string()).default([]),
    roomid: z.string().optional().default(''),
    msgtime: z.number().int().positive(),
    msgtype: z.string(),
    text: z.object({ content: z.string() }).partial().optional(),
  })
  .passthrough();

const archiveBatchSchema = z.object({ records: z.array(z.unknown()).max(5000) });

/** The chat-archive feed (ArchiveIntake): a batch `{"records": [...]}` of at most 5,000 records. */
export class ArchiveIngest implements ArchiveIntake {
  constructor(
    private readonly store: LeadRepository & GroupRepository,
    /** Reads what customers say (price, other vendors, undecided, a proposal request, a decision date). */
    private readonly signals?: CustomerSignals,
  ) {}

  async ingest(body: unknown): Promise<{ ok: true; result: ArchiveResult } | { ok: false; message: string }> {
    const batch = archiveBatchSchema.safeParse(body);
    if (!batch.success) return { ok: false, message: 'body must be {"records": [...]} with at most 5000 records' };
    return { ok: true, result: await ingestArchive(this.store, batch.data.records, this.signals) };
  }
}

/**
 * Chat-archive records (from the company's archive sidecar) become customer or rep messages on the right lead:
 * 1:1 chats by the customer's external id, group chats by the group's bound leads. Idempotent by msgid.
 */
export async function ingestArchive(store: LeadRepository & GroupRepository, records: unknown[], signals?: CustomerSignals): Promise<ArchiveResult> {
  const result: ArchiveResult = { accepted: 0, duplicates: 0, unmatched: 0, skipped: 0 };
  for (const raw of records) {
    const parsed = recordSchema.safeParse(raw);
    if (!parsed.success || parsed.data.action !== 'send') {
      result.skipped++;
      continue;
    }
    const r = parsed.data;
    const fromCustomer = isExternalUserId(r.from);
    let leadIds: string[];
    if (r.roomid) {
      const group = await store.getGroup(r.roomid);
      leadIds = group?.leadIds ?? [];
    } else {
      const customer = fromCustomer ? r.from : r.tolist.find(isExternalUserId);
      leadIds = customer && (await store.getLead(customer)) ? [customer] : [];
    }
    if (leadIds.length === 0) {
      result.unmatched++;
      continue;
    }
    const entry: TimelineEntry = {
      id: `archive:${r.msgid}`,
      at: r.msgtime,
      kind: fromCustomer ? 'customer_message' : 'rep_message',
      source: 'archive',
      actor: r.from,
      customerInitiated: fromCustomer || undefined,
      chatId: r.roomid || undefined,
      note: r.msgtype === 'text' ? r.text?.content?.slice(0, 200) : `[${r.msgtype}]`,
    };
    // What the customer says rides with the message, in the same round trip (and again on a replay: the entries are
    // keyed by the message, and a crash may have come in between).
    const content = r.msgtype === 'text' ? r.text?.content : undefined;
    const extra = fromCustomer && content && signals ? signals.entriesFor(entry, content).entries : [];
    let added = false;
    for (const id of leadIds)
      added = (extra.length > 0 ? (await store.addEntries(id, [entry, ...extra]))[0] === true : await store.addEntry(id, entry)) || added;
    if (added) result.accepted++;
    else result.duplicates++;
  }
  return result;
}
