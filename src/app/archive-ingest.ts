import { z } from 'zod';
import type { TimelineEntry } from '../domain/timeline';
import type { Clock } from '../domain/clock';
import type { ArchiveRecord } from '../wecom/events';
import { archiveCallbackId, encodeArchiveRecord, toArchiveRecord } from '../wecom/archive-record';
import type { ArchiveHold, ArchiveIntake, ArchiveReceipt, ArchiveResult, EventInbox, GroupRepository, LeadRepository } from './ports';
import type { CustomerSignals } from './customer-signals';
import { COPY } from './copy';
import { isExternalUserId } from '../wecom/recipients';

const archiveBatchSchema = z.object({ records: z.array(z.unknown()).max(5000) });

/**
 * The chat-archive feed's front door (ArchiveIntake), in the web process: a batch `{"records": [...]}` of at most
 * 5,000 records is checked for shape — no customer text is read here — and each message is stored durably in the
 * event inbox (keyed by its msgid, so a batch sent twice is stored once) before the answer; a worker applies it
 * (ingestArchive, through the inbox's `archive_message` events). A long message costs the web process nothing but
 * its bytes, and WeCom's callbacks never wait behind one.
 */
export class ArchiveIngest implements ArchiveIntake {
  constructor(
    private readonly inbox: EventInbox,
    private readonly clock: Clock,
  ) {}

  async ingest(body: unknown): Promise<{ ok: true; result: ArchiveReceipt } | { ok: false; message: string }> {
    const batch = archiveBatchSchema.safeParse(body);
    if (!batch.success) return { ok: false, message: 'body must be {"records": [...]} with at most 5000 records' };
    const receivedAt = this.clock.now();
    const records = batch.data.records.map(toArchiveRecord).filter((r): r is ArchiveRecord => r?.action === 'send' || !!r?.recalls);
    const stored = await Promise.all(
      records.map((r) => this.inbox.record({ id: archiveCallbackId(r.msgid), channel: 'archive', receivedAt, plaintext: encodeArchiveRecord(r) })),
    );
    const queued = stored.filter((s) => s === 'stored').length;
    const received = batch.data.records.length;
    return { ok: true, result: { received, queued, duplicates: records.length - queued, skipped: received - records.length } };
  }
}

/**
 * Chat-archive records — pulled from WeCom by the puller (archive-puller.ts) or posted by a company's own sidecar —
 * become customer or rep entries on the right lead: 1:1 chats by the customer's external id, group chats by the
 * group's bound leads. Idempotent by msgid. A batch costs a few round trips, not one per record: the groups and leads
 * are read together, then each lead's entries (with what the customer's words say) are written in one script per
 * lead, all in flight at once.
 */
export async function ingestArchive(
  store: LeadRepository & GroupRepository,
  records: readonly ArchiveRecord[],
  signals?: CustomerSignals,
  /** Tells a rep something once (the outbox, keyed): here, that a customer said no to archiving their chat. */
  tell?: (rep: string, key: string, text: string) => Promise<void>,
  /** Where messages about customers and groups we do not know yet wait for their lead (replayHeld applies them). */
  hold?: ArchiveHold,
): Promise<ArchiveResult> {
  const result: ArchiveResult = { accepted: 0, duplicates: 0, unmatched: 0, skipped: 0 };
  const messages: ArchiveRecord[] = [];
  for (const r of records) {
    if (r.consent) {
      const applied = await recordConsent(store, r, r.consent, tell);
      result[applied ? 'accepted' : 'unmatched']++;
    } else if (r.action !== 'send' && !r.recalls) result.skipped++;
    else messages.push(r);
  }
  if (messages.length === 0) return result;
  const customerOf = (r: ArchiveRecord) => (isExternalUserId(r.from) ? r.from : r.tolist.find(isExternalUserId));
  const rooms = [...new Set(messages.map((r) => r.roomid).filter(Boolean))];
  const customers = [...new Set(messages.filter((r) => !r.roomid).flatMap((r) => customerOf(r) ?? []))];
  const [groups, leads] = await Promise.all([Promise.all(rooms.map((id) => store.getGroup(id))), store.getLeads(customers)]);
  const roomLeads = new Map(rooms.map((id, i) => [id, groups[i]?.leadIds ?? []]));
  const known = new Set(leads.map((l) => l.id));
  // Each lead's entries, and for each the message it is (its index; -1 for what the words say).
  const writes = new Map<string, { entries: TimelineEntry[]; of: number[] }>();
  const matched = new Set<number>();
  const held: { key: string; record: ArchiveRecord }[] = [];
  messages.forEach((r, i) => {
    const customer = r.roomid ? undefined : customerOf(r);
    const leadIds = r.roomid ? (roomLeads.get(r.roomid) ?? []) : customer && known.has(customer) ? [customer] : [];
    if (leadIds.length === 0) {
      // Between members only (an internal chat or group), nothing to hold; with a customer in it, it waits for its lead.
      const withCustomer = isExternalUserId(r.from) || r.tolist.some(isExternalUserId);
      const key = !withCustomer ? undefined : r.roomid ? `r:${r.roomid}` : customer ? `c:${customer}` : undefined;
      if (key) held.push({ key, record: r });
      return;
    }
    matched.add(i);
    const fromCustomer = isExternalUserId(r.from);
    const entry = entryOf(r, fromCustomer);
    // What the customer says rides with the message, in the same write (and again on a replay: the entries are
    // keyed by the message, and a crash may have come in between).
    const content = entry.kind === 'customer_message' ? r.text : undefined;
    const extra = fromCustomer && content && signals ? signals.entriesFor(entry, content).entries : [];
    for (const id of leadIds) {
      const w = writes.get(id) ?? { entries: [], of: [] };
      w.entries.push(entry, ...extra);
      w.of.push(i, ...extra.map(() => -1));
      writes.set(id, w);
    }
  });
  const added = new Set<number>();
  await Promise.all(
    [...writes].map(async ([id, w]) => {
      const res = await store.addEntries(id, w.entries);
      res.forEach((isNew, j) => isNew && (w.of[j] ?? -1) >= 0 && added.add(w.of[j] as number));
    }),
  );
  if (hold && held.length) {
    await hold.hold(held);
    result.held = held.length;
  }
  result.unmatched += messages.length - matched.size;
  result.accepted += added.size;
  result.duplicates += matched.size - added.size;
  return result;
}

/**
 * Applies the held messages whose customer is now a lead, or whose group is now bound to one — after the
 * add_external_contact callback, the nightly reconciliation, a group's binding — at most `max` keys at a time.
 * Applied first, released after: a crash in between applies them again, without effect.
 */
export async function replayHeld(
  store: LeadRepository & GroupRepository,
  hold: ArchiveHold,
  apply: (records: ArchiveRecord[]) => Promise<ArchiveResult>,
  max = 200,
): Promise<number> {
  const keys = await hold.keys(max);
  if (keys.length === 0) return 0;
  const customers = keys.filter((k) => k.startsWith('c:')).map((k) => k.slice(2));
  const rooms = keys.filter((k) => k.startsWith('r:')).map((k) => k.slice(2));
  const [leads, groups] = await Promise.all([store.getLeads(customers), Promise.all(rooms.map((id) => store.getGroup(id)))]);
  const ready = [...leads.map((l) => `c:${l.id}`), ...rooms.filter((_, i) => (groups[i]?.leadIds.length ?? 0) > 0).map((id) => `r:${id}`)];
  let replayed = 0;
  for (const key of ready) {
    const records = await hold.records(key);
    if (records.length) await apply(records);
    await hold.release(key);
    replayed += records.length;
  }
  return replayed;
}

/** The archive's message types we know, by what a person reads for them on the timeline. */
const MESSAGE_KINDS: Record<string, string> = {
  text: '文本',
  mixed: '图文混排',
  image: '图片',
  voice: '语音',
  video: '视频',
  file: '文件',
  link: '链接',
  location: '位置',
  card: '名片',
  emotion: '表情',
  weapp: '小程序',
  chatrecord: '聊天记录',
  todo: '待办',
  vote: '投票',
  collect: '填表',
  redpacket: '红包',
  external_redpacket: '红包',
  meeting: '会议邀请',
  meeting_notification: '会议控制',
  docmsg: '在线文档',
  markdown: 'Markdown 消息',
  news: '图文',
  calendar: '日程',
  voip_doc_share: '通话中共享的文档',
  sphfeed: '视频号',
  qydiskfile: '微盘文件',
  revoke: '撤回',
};

/**
 * A record as a timeline entry, by what it is: a WeCom voice or video call between the rep and the customer
 * (voiptext) is a call with its minutes, logged as the rep would — it counts for the weekly call, quiet days and
 * mindshare; a recorded call (meeting_voice_call) or a call in a group is a meeting held; a recall says so (the text
 * taken back is not read again); a text or mixed message is the customer's or the rep's words; anything else a touch
 * of its kind (`msgtype`; `unknown` for a type new to us, kept all the same).
 */
function entryOf(r: ArchiveRecord, fromCustomer: boolean): TimelineEntry {
  const base = { id: `archive:${r.msgid}`, at: r.msgtime, source: 'archive' as const, chatId: r.roomid || undefined };
  const member = fromCustomer ? r.tolist.find((u) => !isExternalUserId(u)) : r.from;
  if (r.callSeconds !== undefined && (r.msgtype === 'voiptext' || r.msgtype === 'meeting_voice_call')) {
    const minutes = r.callSeconds > 0 ? Math.max(1, Math.round(r.callSeconds / 60)) : 0;
    if (r.msgtype === 'voiptext' && !r.roomid)
      return {
        ...base,
        kind: 'call',
        actor: member,
        minutes,
        outcome: r.callSeconds > 0 ? 'talked' : 'no_answer',
        customerInitiated: fromCustomer || undefined,
        note: '企业微信通话',
        msgtype: r.msgtype,
      };
    return {
      ...base,
      kind: 'meeting_held',
      actor: member,
      minutes,
      note: r.msgtype === 'voiptext' ? '企业微信群通话' : '企业微信会议录音',
      msgtype: r.msgtype,
    };
  }
  const kind = fromCustomer ? 'customer_message' : 'rep_message';
  if (r.recalls) return { ...base, kind, actor: r.from, note: '[撤回了一条消息]', recalls: `archive:${r.recalls}`, msgtype: 'revoke' };
  const label = MESSAGE_KINDS[r.msgtype];
  const words = r.msgtype === 'text' || r.msgtype === 'mixed' ? r.text?.slice(0, 200) : undefined;
  return {
    ...base,
    kind,
    actor: r.from,
    customerInitiated: fromCustomer || undefined,
    note: words ?? `[${label ?? '其他消息'}]`,
    msgtype: label ? r.msgtype : 'unknown',
  };
}

/**
 * The customer's answer to archiving their chat, kept on their lead (latest answer wins); a no is told to the rep
 * once — from then on the bot cannot read that customer's words, so the rep should ask on a call what they would
 * have written. Answers whether the customer is a lead.
 */
async function recordConsent(
  store: LeadRepository,
  r: ArchiveRecord,
  consent: { userid: string; agreed: boolean },
  tell?: (rep: string, key: string, text: string) => Promise<void>,
): Promise<boolean> {
  // One write: a later answer already kept leaves the lead as it is (and `after` is then the lead as it was).
  const archiveConsent = { agreed: consent.agreed, at: r.msgtime };
  const { after: lead } = await store.updateLead(consent.userid, (l) =>
    l && (!l.archiveConsent || l.archiveConsent.at <= r.msgtime) ? { ...l, archiveConsent } : undefined,
  );
  if (!lead) return false;
  if (!consent.agreed && lead.archiveConsent?.at === r.msgtime && tell) await tell(lead.owner, `consent-no:${lead.id}:${r.msgid}`, COPY.archiveDisagreed(lead));
  return true;
}
