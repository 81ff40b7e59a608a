import type { Clock } from '../domain/clock';
import { absorbManualLead, isManual, manualLeadsMatching, newLead, setIfNewer, type Lead } from '../domain/lead';
import { mapSource, type SourceRule } from '../domain/source';
import type { TimelineEntry } from '../domain/timeline';
import type { Logger } from '../log';
import type { ExternalChatEvent, ExternalContactEvent } from '../wecom/events';
import { COPY } from './copy';
import type { ActivityCounter, CustomerDirectory, CustomerProfile, GroupInviter, GroupRecord, LedgerRepository, MessageOutbox } from './ports';

export interface LedgerDeps {
  store: LedgerRepository;
  directory: CustomerDirectory;
  outbox: MessageOutbox;
  invites: GroupInviter;
  activity: ActivityCounter;
  clock: Clock;
  sourceRules: readonly SourceRule[];
  log: Logger;
}

/**
 * The ledger's write side: turns what WeCom tells us into leads, groups and timeline entries. Every method is
 * idempotent and order-independent: entries have deterministic ids, lead fields are last-writer-wins by the time the
 * fact happened, and group membership always comes from WeCom's current snapshot (callbacks omit details and arrive
 * out of order).
 */
export class Ledger {
  constructor(private readonly d: LedgerDeps) {}

  /** add_external_contact / add_half_external_contact, and reconciliation's discoveries. */
  async customerAdded(args: {
    externalUserId: string;
    userId: string;
    state?: string;
    at: number;
    entryId: string;
    source: TimelineEntry['source'];
    profile?: CustomerProfile;
  }): Promise<Lead | undefined> {
    const profile = args.profile ?? (await this.d.directory.getCustomer(args.externalUserId));
    const follower = profile?.followers.find((f) => f.userId === args.userId);
    const source = mapSource(args.state ?? follower?.state, this.d.sourceRules);
    // The rep's manual leads (merge candidates) do not depend on this write: read while it runs.
    const manual = this.d.store.manualLeadsOf(args.userId);
    manual.catch(() => undefined);
    const { before, after, groups } = await this.d.store.updateCustomerLead(
      args.externalUserId,
      (cur) => {
        const lead =
          cur ??
          newLead({
            id: args.externalUserId,
            externalUserId: args.externalUserId,
            name: profile?.name ?? args.externalUserId,
            owner: args.userId,
            source,
            createdAt: args.at,
          });
        lead.createdAt = Math.min(lead.createdAt, args.at);
        if (lead.source === 'other' && source !== 'other') lead.source = source;
        setIfNewer(lead, 'owner', args.at, (l) => (l.owner = args.userId));
        setIfNewer(lead, 'relationship', args.at, (l) => (l.relationship = 'active'));
        if (profile) {
          setIfNewer(lead, 'profile', args.at, (l) => {
            l.name = profile.name;
            l.company = profile.company;
            if (follower?.remark) l.remark = follower.remark;
          });
        }
        return lead;
      },
      [{ id: args.entryId, at: args.at, kind: 'added', source: args.source, actor: args.userId, note: args.state }],
    );
    // Independent, each safe under concurrency (compare-and-set): in flight together.
    await Promise.all([
      this.bindToKnownGroups(args.externalUserId, groups),
      after && this.mergeMatchingManualLead(after, args.at, !before, after.owner === args.userId ? await manual : undefined),
    ]);
    return after;
  }

  /**
   * The rep made a lead by hand (a phone inquiry, say) and now that customer has added them on WeCom: the one manual
   * lead named as the rep's remark for the customer is merged; any other that matches only the name or company the
   * customer chose — or several — is put to the rep to choose (「合并 #1 客户」), once, when the customer is new. A
   * re-run finds the manual lead already merged, so this is idempotent.
   */
  private async mergeMatchingManualLead(customer: Lead, at: number, isNew: boolean, manual?: Lead[]): Promise<void> {
    const { byRemark, byCustomer } = manualLeadsMatching(manual ?? (await this.d.store.manualLeadsOf(customer.owner)), customer);
    const matches = byRemark.length === 1 ? byRemark : [...byRemark, ...byCustomer];
    if (byRemark.length === 1) {
      const manual = byRemark[0] as Lead;
      await this.mergeManual(manual.id, customer.id, at, customer.owner, 'callback');
      await this.d.outbox.enqueue({
        key: `merged:${manual.id}:${customer.id}`,
        touser: customer.owner,
        body: { msgtype: 'text', text: { content: COPY.mergedOnAdd(customer, manual) } },
      });
    } else if (matches.length > 0 && isNew) {
      await this.d.store.setLastList(
        customer.owner,
        matches.map((m) => m.id),
      );
      await this.d.outbox.enqueue({
        key: `merge-choice:${customer.id}`,
        touser: customer.owner,
        body: { msgtype: 'text', text: { content: COPY.mergeChoice(customer, matches) } },
      });
    }
  }

  /**
   * Moves a manual lead into a WeCom customer's lead: its timeline entries (same ids, so a re-run adds nothing), what
   * the rep knew (state, decision date, snooze, channel) by last-writer-wins, then marks the manual lead as merged,
   * which takes it out of every list and sweep. Each step is idempotent; the mark comes last, so a crash in between
   * leaves the manual lead in place for the re-run.
   */
  async mergeManual(manualId: string, targetId: string, at: number, actor: string, source: TimelineEntry['source']): Promise<boolean> {
    const [manual, target] = await Promise.all([this.d.store.getLead(manualId), this.d.store.getLead(targetId)]);
    if (!manual || !target || !isManual(manual) || isManual(target) || (manual.mergedInto && manual.mergedInto !== targetId)) return false;
    for (const e of await this.d.store.getTimeline(manualId)) await this.d.store.addEntry(targetId, e);
    await this.d.store.updateLead(targetId, (cur) => (cur ? absorbManualLead(cur, manual) : undefined));
    await this.d.store.addEntry(targetId, { id: `merged:${manualId}`, at, kind: 'merged', source, actor, note: manual.name });
    const { before } = await this.d.store.updateLead(manualId, (cur) => (cur ? { ...cur, mergedInto: targetId } : undefined));
    if (!before?.mergedInto) await this.d.activity.count({ event: 'leads_merged' });
    return true;
  }

  async contactEvent(e: ExternalContactEvent, eventId: string): Promise<void> {
    const at = e.createTime * 1000;
    switch (e.changeType) {
      case 'add_external_contact':
      case 'add_half_external_contact':
        await this.customerAdded({ externalUserId: e.externalUserId, userId: e.userId, state: e.state, at, entryId: `added:${eventId}`, source: 'callback' });
        return;
      case 'edit_external_contact': {
        const profile = await this.d.directory.getCustomer(e.externalUserId);
        const follower = profile?.followers.find((f) => f.userId === e.userId);
        if (!profile) return;
        await this.d.store.updateIfNewer(e.externalUserId, 'profile', at, (l) => {
          l.name = profile.name;
          l.company = profile.company;
          l.remark = follower?.remark ?? l.remark;
        });
        return;
      }
      case 'del_follow_user': {
        const { after } = await this.d.store.updateIfNewer(e.externalUserId, 'relationship', at, (l) => (l.relationship = 'lost_contact'));
        if (!after) return;
        const added = await this.d.store.addEntry(after.id, {
          id: `deleted:${eventId}`,
          at,
          kind: 'contact_deleted',
          source: 'callback',
          actor: e.externalUserId,
          note: 'customer deleted the rep',
        });
        if (added) {
          await this.d.outbox.enqueue({
            key: `lost-contact:${eventId}`,
            touser: e.userId,
            body: { msgtype: 'text', text: { content: COPY.lostContact(after) } },
          });
        }
        return;
      }
      case 'del_external_contact': {
        const { after } = await this.d.store.updateIfNewer(e.externalUserId, 'relationship', at, (l) => (l.relationship = 'closed'));
        if (after)
          await this.d.store.addEntry(after.id, {
            id: `deleted:${eventId}`,
            at,
            kind: 'contact_deleted',
            source: 'callback',
            actor: e.userId,
            note: e.source === 'DELETE_BY_TRANSFER' ? 'transferred to another rep' : 'rep deleted the customer',
          });
        return;
      }
      case 'transfer_fail':
      case 'msg_audit_approved':
        this.d.log.info({ reason: 'ledger.contact_event', changeType: e.changeType }, 'customer event noted');
        return;
    }
  }

  /** change_external_chat: record the event on the group, then re-read the group from WeCom and re-bind. */
  async groupEvent(e: ExternalChatEvent, eventId: string): Promise<void> {
    const at = e.createTime * 1000;
    let entry: TimelineEntry | undefined;
    if (e.changeType === 'create') entry = { id: `group_created:${e.chatId}`, at, kind: 'group_created', source: 'callback', chatId: e.chatId };
    else if (e.changeType === 'update' && (e.updateDetail === 'add_member' || e.updateDetail === 'del_member')) {
      entry = {
        id: `${e.updateDetail === 'add_member' ? 'joined' : 'left'}:${eventId}`,
        at,
        kind: e.updateDetail === 'add_member' ? 'member_joined' : 'member_left',
        source: 'callback',
        chatId: e.chatId,
        members: e.memChangeList,
        // Scanning the group QR is the customer's own move; an invitation is ours.
        customerInitiated: e.updateDetail === 'add_member' ? e.joinScene === 3 : undefined,
      };
    }
    const synced = await this.syncGroup(e.chatId, { dismissedAt: e.changeType === 'dismiss' ? at : undefined, entry });
    if (e.changeType === 'create') await this.announceGroup(e.chatId, synced.record, synced.leads);
  }

  /**
   * A new group with a lead in it: tell the lead's rep it is on the lead and hand over the group's QR join code, so
   * the customer can bring in the others who decide. Once per group and lead (the message key); a join code WeCom
   * refuses is logged and the group is still recorded.
   */
  private async announceGroup(chatId: string, g: GroupRecord, leads: Lead[]): Promise<void> {
    if (g.dismissed || g.leadIds.length === 0) return;
    const code = await this.d.invites.joinCodeFor(chatId);
    for (const lead of leads.filter((l) => g.leadIds.includes(l.id))) {
      await this.d.outbox.enqueue({
        key: `group-invite:${chatId}:${lead.id}`,
        touser: lead.owner,
        body: { msgtype: 'text', text: { content: COPY.groupCreated(lead, g.name, code?.qrCode) } },
      });
    }
  }

  /** Reads the group from WeCom and makes the ledger agree; returns what changed (for reconciliation's log). */
  async syncGroup(
    chatId: string,
    opts: { dismissedAt?: number; entry?: TimelineEntry } = {},
  ): Promise<{ bound: string[]; unbound: string[]; changed: boolean; record: GroupRecord; leads: Lead[] }> {
    const snapshot = opts.dismissedAt === undefined ? await this.d.directory.getGroup(chatId) : undefined;
    const customers = snapshot?.customers ?? [];
    const leads = await this.d.store.getLeads(customers);
    const leadIds = leads.map((l) => l.id);
    // Compare-and-set on the group: another event of this group handled at the same time keeps its entry too.
    const { before, after } = await this.d.store.updateGroup(chatId, (cur) => {
      const events = [...(cur?.events ?? [])];
      if (opts.entry && !events.some((x) => x.id === opts.entry?.id)) events.push(opts.entry);
      if (snapshot) {
        // The group's own create_time, whichever arrived first: the create callback or a later event that made us look.
        const created = events.find((x) => x.kind === 'group_created');
        if (created) created.at = snapshot.createdAt;
        else events.push({ id: `group_created:${chatId}`, at: snapshot.createdAt, kind: 'group_created', source: 'callback', chatId });
      }
      return {
        chatId,
        name: snapshot?.name ?? cur?.name,
        owner: snapshot?.owner ?? cur?.owner,
        customers,
        staff: snapshot?.staff ?? [],
        leadIds,
        dismissed: !snapshot,
        memberVersion: snapshot?.memberVersion,
        updatedAt: this.d.clock.now(),
        events: events.sort((a, b) => a.at - b.at || a.id.localeCompare(b.id)),
      };
    });
    const record = after as GroupRecord;
    const unbound = (before?.leadIds ?? []).filter((id) => !leadIds.includes(id));
    // Each lead's groups and this group as they are after the move, read in the same round trip.
    const now = await this.d.store.setGroupCustomers(chatId, before?.customers ?? [], customers, [...leadIds, ...unbound]);
    await Promise.all([...leadIds, ...unbound].map((id) => this.refreshLeadGroups(id, now.groupsOf.get(id), now.group)));
    const changed =
      JSON.stringify([before?.customers, before?.leadIds, before?.dismissed]) !== JSON.stringify([record.customers, record.leadIds, record.dismissed]);
    return { bound: leadIds.filter((id) => !(before?.leadIds ?? []).includes(id)), unbound, changed, record, leads };
  }

  /** A lead that arrives after its groups: bind it to the groups its customer is in (`chats`, read after the lead's write). */
  private async bindToKnownGroups(leadId: string, chats: string[]): Promise<void> {
    for (const chatId of chats) {
      await this.d.store.updateGroup(chatId, (g) => (g && !g.leadIds.includes(leadId) ? { ...g, leadIds: [...g.leadIds, leadId] } : undefined));
    }
    if (chats.length > 0) await this.refreshLeadGroups(leadId);
  }

  /**
   * Recomputes a lead's groups and customer-side stakeholders from the group records, and copies group events. `chats`
   * (the customer's groups) and `known` (one group's record) spare reads the caller has just done.
   */
  private async refreshLeadGroups(leadId: string, chats?: string[], known?: GroupRecord): Promise<void> {
    const ids = chats ?? (await this.d.store.groupsOfCustomer(leadId));
    const records = await Promise.all(ids.map((c) => (c === known?.chatId ? known : this.d.store.getGroup(c))));
    const groups = records.filter((g): g is GroupRecord => !!g && !g.dismissed && g.customers.includes(leadId));
    const stakeholders = [...new Set([leadId, ...groups.flatMap((g) => g.customers)])].sort();
    // The lead and the groups' events on its timeline in one write.
    await this.d.store.updateLead(
      leadId,
      (cur) => {
        if (!cur) return undefined;
        cur.groups = groups.map((g) => g.chatId).sort();
        cur.stakeholders = stakeholders;
        return cur;
      },
      groups.flatMap((g) => g.events),
    );
  }
}
