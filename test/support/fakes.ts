/**
 * In-memory fakes of the app's ports, so use cases run in unit tests without Redis, BullMQ or WeCom. They keep the
 * ports' contracts (idempotent entries by id, last-writer-wins stamps through the domain's setIfNewer, compare-and-set
 * reads as copies) — the Redis adapters are tested against the same contracts by the integration tests.
 */
import type {
  ActivityCounter,
  BookedMeeting,
  BookingStore,
  CardUpdater,
  CustomerDirectory,
  CustomerProfile,
  GroupRecord,
  GroupSnapshot,
  JoinCode,
  LeadQuery,
  LedgerRepository,
  MeetingBooker,
  MeetingRequest,
  MessageOutbox,
  NudgeRecord,
  NudgeRepository,
  OutboundMessage,
  WatchedMeeting,
} from '../../src/app/ports';
import { isFollowedUp, isManual, setIfNewer, type Lead } from '../../src/domain/lead';
import { isCustomerTouch } from '../../src/domain/metrics';
import type { MeetingReport } from '../../src/domain/meeting-attendance';
import type { TimelineEntry } from '../../src/domain/timeline';

const copy = <T>(x: T): T => (x === undefined ? x : (JSON.parse(JSON.stringify(x)) as T));

export class MemoryLedger implements LedgerRepository {
  readonly leads = new Map<string, Lead>();
  readonly timelines = new Map<string, Map<string, TimelineEntry>>();
  readonly groups = new Map<string, GroupRecord>();
  readonly joinCodes = new Map<string, JoinCode>();
  readonly customerGroups = new Map<string, Set<string>>();
  readonly lastLists = new Map<string, string[]>();
  readonly due = new Map<string, number>();
  readonly lastCustomerTouch = new Map<string, number>();

  constructor(private readonly now: () => number = () => 0) {}

  async getLead(id: string) {
    return copy(this.leads.get(id));
  }
  async getLeads(ids: string[]) {
    return ids.map((id) => copy(this.leads.get(id))).filter((l): l is Lead => !!l);
  }
  async updateLead(id: string, change: (current: Lead | undefined) => Lead | undefined, entries: TimelineEntry[] = []) {
    const before = copy(this.leads.get(id));
    const after = change(copy(before));
    if (!after) {
      const added = before ? await this.addEntries(id, entries) : entries.map(() => false);
      return { before, after: before, added };
    }
    this.leads.set(id, copy(after));
    if (!after.mergedInto) this.due.set(id, Math.min(this.due.get(id) ?? Infinity, this.now()));
    if (!this.lastCustomerTouch.has(id)) this.lastCustomerTouch.set(id, after.createdAt);
    return { before, after: copy(after), added: await this.addEntries(id, entries) };
  }
  async updateCustomerLead(id: string, change: (current: Lead | undefined) => Lead | undefined, entries: TimelineEntry[] = []) {
    return { ...(await this.updateLead(id, change, entries)), groups: await this.groupsOfCustomer(id) };
  }
  updateIfNewer<K extends keyof Lead['stamps']>(id: string, stamp: K, at: number, apply: (l: Lead) => void) {
    return this.updateLead(id, (cur) => {
      if (cur) setIfNewer(cur, stamp, at, apply);
      return cur;
    });
  }
  async addEntry(leadId: string, entry: TimelineEntry) {
    const tl = this.timelines.get(leadId) ?? new Map<string, TimelineEntry>();
    this.timelines.set(leadId, tl);
    if (tl.has(entry.id)) return false;
    tl.set(entry.id, copy(entry));
    if (isCustomerTouch(entry)) this.lastCustomerTouch.set(leadId, Math.max(this.lastCustomerTouch.get(leadId) ?? 0, entry.at));
    if (entry.kind !== 'nudge_sent') this.due.set(leadId, Math.min(this.due.get(leadId) ?? Infinity, this.now()));
    return true;
  }
  async amendEntry(leadId: string, entryId: string, patch: Pick<TimelineEntry, 'minutes' | 'outcome'>) {
    const e = this.timelines.get(leadId)?.get(entryId);
    if (!e) return false;
    this.timelines.get(leadId)?.set(entryId, { ...e, ...patch });
    return true;
  }
  async addEntries(leadId: string, entries: TimelineEntry[]) {
    const out: boolean[] = [];
    for (const e of entries) out.push(await this.addEntry(leadId, e));
    return out;
  }
  async getTimeline(leadId: string) {
    return [...(this.timelines.get(leadId)?.values() ?? [])].map(copy).sort((a, b) => a.at - b.at || a.id.localeCompare(b.id));
  }
  async loadMany(ids: string[]) {
    return Promise.all(ids.map(async (id) => ({ id, lead: await this.getLead(id), timeline: await this.getTimeline(id) })));
  }
  async recordMany(entries: { leadId: string; entry: TimelineEntry }[], due: { leadId: string; at: number }[]) {
    const firsts: boolean[] = [];
    for (const e of entries) firsts.push(await this.addEntry(e.leadId, e.entry));
    for (const d of due) await this.setDue(d.leadId, d.at);
    return firsts;
  }
  async bulkLoad(items: { lead: Lead; entries: TimelineEntry[] }[]) {
    for (const { lead, entries } of items) {
      this.leads.set(lead.id, copy(lead));
      for (const e of entries) await this.addEntry(lead.id, e);
    }
  }
  private open(l: Lead) {
    return !l.mergedInto;
  }
  async queryLeads(q: LeadQuery) {
    const all = [...this.leads.values()]
      .filter((l) => this.open(l) && (!q.owner || l.owner === q.owner) && (!q.state || l.state === q.state) && (!q.outcome || l.outcome === q.outcome))
      .filter((l) => q.quietSince === undefined || (this.lastCustomerTouch.get(l.id) ?? l.createdAt) <= q.quietSince)
      .sort((a, b) => b.createdAt - a.createdAt);
    return { ids: all.slice(q.offset, q.offset + q.limit).map((l) => l.id), total: all.length };
  }
  async leadsOf(owner: string) {
    return [...this.leads.values()].filter((l) => this.open(l) && l.owner === owner).map(copy);
  }
  async manualLeadsOf(owner: string) {
    return (await this.leadsOf(owner)).filter((l) => isManual(l) && isFollowedUp(l));
  }
  async owners() {
    return [...new Set([...this.leads.values()].filter((l) => this.open(l)).map((l) => l.owner))];
  }
  async countByStateAndOutcome() {
    const state: Record<string, number> = {};
    const outcome: Record<string, number> = {};
    for (const l of this.leads.values()) {
      if (!this.open(l)) continue;
      state[l.state] = (state[l.state] ?? 0) + 1;
      outcome[l.outcome] = (outcome[l.outcome] ?? 0) + 1;
    }
    return { state, outcome };
  }
  async repairIndexes() {
    return { leads: [...this.leads.values()].filter((l) => this.open(l)).length, added: 0, removed: 0 };
  }
  async getGroup(chatId: string) {
    return copy(this.groups.get(chatId));
  }
  async saveGroup(g: GroupRecord) {
    this.groups.set(g.chatId, copy(g));
  }
  async updateGroup(chatId: string, change: (current: GroupRecord | undefined) => GroupRecord | undefined) {
    const before = copy(this.groups.get(chatId));
    const after = change(copy(before));
    if (after) this.groups.set(chatId, copy(after));
    return { before, after: after ?? before };
  }
  async getJoinCode(chatId: string) {
    return copy(this.joinCodes.get(chatId));
  }
  async saveJoinCode(chatId: string, code: JoinCode) {
    if (!this.joinCodes.has(chatId)) this.joinCodes.set(chatId, code);
    return copy(this.joinCodes.get(chatId) as JoinCode);
  }
  async setGroupCustomers(chatId: string, before: string[], after: string[], leads: string[]) {
    for (const c of before) if (!after.includes(c)) this.customerGroups.get(c)?.delete(chatId);
    for (const c of after) this.customerGroups.set(c, new Set([...(this.customerGroups.get(c) ?? []), chatId]));
    return {
      groupsOf: new Map(leads.map((c) => [c, [...(this.customerGroups.get(c) ?? [])]])),
      group: await this.getGroup(chatId),
    };
  }
  async groupsOfCustomer(externalUserId: string) {
    return [...(this.customerGroups.get(externalUserId) ?? [])];
  }
  async setLastList(rep: string, ids: string[]) {
    this.lastLists.set(rep, [...ids]);
  }
  async lastList(rep: string) {
    return [...(this.lastLists.get(rep) ?? [])];
  }
  readonly pending = new Map<string, string>();
  async setPending(rep: string, command: string) {
    this.pending.set(rep, command);
  }
  async takePending(rep: string) {
    const c = this.pending.get(rep);
    this.pending.delete(rep);
    return c;
  }
  async setDue(leadId: string, at: number) {
    if (Number.isFinite(at)) this.due.set(leadId, at);
    else this.due.delete(leadId);
  }
  async dueLeads(now: number, limit: number) {
    return [...this.due.entries()]
      .filter(([, at]) => at <= now)
      .sort((a, b) => a[1] - b[1])
      .slice(0, limit)
      .map(([id]) => id);
  }
}

/** The outbox: what would be sent, by key (enqueueing a key twice keeps the first, as the send queue does). */
export class MemoryOutbox implements MessageOutbox {
  readonly messages = new Map<string, OutboundMessage>();
  async enqueue(m: OutboundMessage) {
    if (!this.messages.has(m.key)) this.messages.set(m.key, copy(m));
  }
  async enqueueMany(ms: OutboundMessage[]) {
    for (const m of ms) await this.enqueue(m);
  }
  texts(touser: string): string[] {
    return [...this.messages.values()]
      .filter((m) => m.touser === touser)
      .map((m) =>
        m.body.msgtype === 'text' ? m.body.text.content : m.body.msgtype === 'markdown' ? m.body.markdown.content : m.body.template_card.main_title.title,
      );
  }
}

export class MemoryNudges implements NudgeRepository {
  readonly admitted = new Map<string, Set<string>>(); // day:rep → ids
  readonly held = new Map<string, NudgeRecord>();
  async admitMany(items: { id: string; rep: string; dayId: string }[], cap: number) {
    return items.map(({ id, rep, dayId }) => {
      const key = `${dayId}:${rep}`;
      const ids = this.admitted.get(key) ?? new Set<string>();
      this.admitted.set(key, ids);
      if (ids.has(id)) return { id, allowed: true };
      if (ids.size >= cap) return { id, allowed: false };
      ids.add(id);
      return { id, allowed: true };
    });
  }
  async holdMany(records: NudgeRecord[]) {
    let n = 0;
    for (const r of records) if (!this.held.has(r.id) && ++n) this.held.set(r.id, r);
    return n;
  }
  async get(id: string) {
    return this.held.get(id);
  }
  async takeOverflow(rep: string) {
    const ids = [...this.held.values()].filter((r) => r.owner === rep).map((r) => r.id);
    for (const id of ids) this.held.delete(id);
    return ids;
  }
}

export class MemoryMeetings implements MeetingBooker, BookingStore {
  readonly booked: (MeetingRequest & BookedMeeting)[] = [];
  private readonly claims = new Map<string, BookedMeeting | 'pending'>();
  async book(req: MeetingRequest) {
    const m = { ...req, meetingId: `m${this.booked.length + 1}`, link: `https://meeting.test/${this.booked.length + 1}` };
    this.booked.push(m);
    return { meetingId: m.meetingId, link: m.link };
  }
  async findBooked(req: MeetingRequest) {
    return this.booked.find((m) => m.host === req.host && m.title === req.title && m.startsAt === req.startsAt);
  }
  async claim(key: string) {
    const c = this.claims.get(key);
    if (!c) {
      this.claims.set(key, 'pending');
      return { state: 'new' as const };
    }
    return c === 'pending' ? { state: 'pending' as const } : { state: 'booked' as const, booking: c };
  }
  async save(key: string, booking: BookedMeeting) {
    this.claims.set(key, booking);
  }
  /** What WeCom will say of each meeting (tests set it); a meeting without one is unreadable. */
  readonly reports = new Map<string, MeetingReport>();
  async report(meetingId: string) {
    return copy(this.reports.get(meetingId));
  }
  readonly watches = new Map<string, { w: WatchedMeeting; dueAt: number }>();
  async watch(w: WatchedMeeting, dueAt: number) {
    this.watches.set(JSON.stringify(w), { w: { ...w }, dueAt });
  }
  async dueWatches(now: number, limit: number) {
    return [...this.watches.values()]
      .filter((x) => x.dueAt <= now)
      .sort((a, b) => a.dueAt - b.dueAt)
      .slice(0, limit)
      .map((x) => ({ ...x.w }));
  }
  async unwatch(w: WatchedMeeting) {
    this.watches.delete(JSON.stringify(w));
  }
}

export class MemoryDirectory implements CustomerDirectory {
  readonly customers = new Map<string, CustomerProfile>();
  readonly groups = new Map<string, GroupSnapshot>();
  async getCustomer(id: string) {
    return copy(this.customers.get(id));
  }
  async getGroup(chatId: string) {
    return copy(this.groups.get(chatId));
  }
  async listGroupIds() {
    return [...this.groups.keys()];
  }
  async listCustomerIds(userId: string) {
    return [...this.customers.values()].filter((c) => c.followers.some((f) => f.userId === userId)).map((c) => c.externalUserId);
  }
}

export const noActivity: ActivityCounter = { count: async () => undefined };
export const noCards: CardUpdater = { markDone: async () => undefined };
