import { DateTime } from 'luxon';
import { displayName, type Lead } from '../domain/lead';
import { POSITION_QUESTION, WEEKLY_QUESTION } from '../domain/nudge-policy';
import { nudgeKindLabel } from '../domain/nudge-labels';
import type { Clock } from '../domain/clock';
import type { Viewer } from '../domain/board/viewer';
import { jsapiSignature } from '../wecom/jsapi-signature';
import { commandReply, nextStepText } from './copy';
import type { Ledger } from './ledger';
import type {
  BoardLeadActions,
  JsApiTickets,
  LedgerRepository,
  MessageOutbox,
  SidebarAction,
  SidebarChat,
  SidebarContact,
  SidebarSignature,
  SidebarUseCases,
} from './ports';
import type { RepActionResult, RepActions } from './rep-actions';

/**
 * The chat sidebar's use cases (聊天工具栏): the JS-SDK signatures for ww.register, the lead of the customer the rep
 * is talking to — all of it for the rep's own lead, only 「由李四跟进」 for a colleague's — the group's leads, and the
 * one-tap actions, each through the rep-action core with the reply a command would get, sent to the rep's app chat
 * as well. Nothing here sends anything to a customer.
 */
export class Sidebar implements SidebarUseCases {
  constructor(
    private readonly d: {
      store: LedgerRepository;
      leads: BoardLeadActions;
      actions: RepActions;
      ledger: Ledger;
      tickets: JsApiTickets;
      outbox: MessageOutbox;
      names: { nameOf(userId: string): Promise<string> };
      clock: Clock;
      timeZone: string;
      corpId: string;
      agentId: number;
      nonce: () => string;
    },
  ) {}

  /** ww.register's two signatures for the page at `url`: config (the enterprise's ticket) and agentConfig (the app's). */
  async signatures(url: string): Promise<{ corpId: string; agentId: number; config: SidebarSignature; agentConfig: SidebarSignature }> {
    const [corp, agent] = await Promise.all([this.d.tickets.corp(), this.d.tickets.agent()]);
    const timestamp = Math.floor(this.d.clock.now() / 1000);
    const sign = (ticket: string): SidebarSignature => {
      const nonceStr = this.d.nonce();
      return { timestamp, nonceStr, signature: jsapiSignature({ ticket, nonceStr, timestamp, url }) };
    };
    return { corpId: this.d.corpId, agentId: this.d.agentId, config: sign(corp), agentConfig: sign(agent) };
  }

  private viewer(rep: string): Viewer {
    return { userId: rep, role: 'rep', reps: [rep] };
  }

  async contact(rep: string, externalUserId: string): Promise<SidebarContact> {
    // The rep's own lead, read once (the board's page data); otherwise whose it is, or none.
    const page = await this.d.leads.lead(this.viewer(rep), externalUserId);
    if (!page) {
      const lead = await this.d.store.getLead(externalUserId);
      if (!lead || lead.mergedInto) return { kind: 'not_lead', externalUserId };
      return { kind: 'other_owner', ownerName: await this.d.names.nameOf(lead.owner).catch(() => lead.owner) };
    }
    const name = displayName(page.lead);
    const question = !page.next
      ? null
      : page.next.step === 'position'
        ? POSITION_QUESTION
        : page.next.step === 'ask_decision' || page.next.step === 'weekly_call'
          ? `${name.endsWith('总') ? `${name}，` : ''}我上次不是给您汇报过吗？${WEEKLY_QUESTION}`
          : null;
    const open = page.nudges.filter((n) => n.outcome === 'open').at(-1);
    return {
      kind: 'lead',
      page,
      nextText: page.next ? nextStepText(page.next, name) : null,
      question,
      openNudge: open?.kind ? { kind: open.kind, label: nudgeKindLabel(open.kind), sentAt: open.sentAt } : null,
    };
  }

  /** A customer group: its leads (the rep's own in full, a colleague's by owner) and its customer-side members. */
  async chat(rep: string, chatId: string): Promise<SidebarChat | undefined> {
    const group = await this.d.store.getGroup(chatId);
    if (!group) return undefined;
    const leads = await this.d.store.getLeads(group.leadIds);
    const rows = await Promise.all(
      leads
        .filter((l) => !l.mergedInto)
        .map(async (l) => ({
          id: l.id,
          name: displayName(l),
          mine: l.owner === rep,
          ownerName: l.owner === rep ? '' : await this.d.names.nameOf(l.owner).catch(() => l.owner),
        })),
    );
    return { chatId, name: group.name, leads: rows, customers: group.customers ?? [] };
  }

  /** A contact of the rep's who is not a lead yet (added before the bot): made one, as the add callback would. */
  async adopt(rep: string, externalUserId: string, key: string): Promise<Lead | 'not_your_customer'> {
    const existing = await this.d.store.getLead(externalUserId);
    if (existing) return existing.owner === rep ? existing : 'not_your_customer';
    const lead = await this.d.ledger.customerAdded({
      externalUserId,
      userId: rep,
      at: this.d.clock.now(),
      entryId: `sidebar-adopt:${rep}:${key}`,
      source: 'sidebar',
    });
    return lead && lead.owner === rep ? lead : 'not_your_customer';
  }

  /**
   * One tap: the action through the rep-action core, keyed (a double tap does it once), its reply — the sentence a
   * command would get — shown in the sidebar and sent to the rep's app chat.
   */
  async act(
    rep: string,
    leadId: string,
    a: SidebarAction,
    key: string,
  ): Promise<{ ok: true; action: string; text: string; link?: string } | { ok: false; error: 'NOT_FOUND' | 'FORBIDDEN' | 'BAD_TIME' }> {
    const lead = await this.d.store.getLead(leadId);
    if (!lead || lead.mergedInto) return { ok: false, error: 'NOT_FOUND' };
    if (lead.owner !== rep) return { ok: false, error: 'FORBIDDEN' };
    const i = { lead, actor: rep, at: this.d.clock.now(), entryId: `sidebar:${rep}:${key}`, source: 'sidebar' as const };
    const x = this.d.actions;
    let result: RepActionResult;
    switch (a.action) {
      case 'call':
        result = await x.logCall(i, { minutes: a.minutes, outcome: 'talked', note: a.note });
        break;
      case 'position':
        result = await x.setState(i, a.state);
        break;
      case 'confirm_state':
        result = await x.answerStateSuggestion(i, a.state);
        break;
      case 'meeting': {
        // The time the rep picked, read in business time whatever the browser's zone.
        const at = DateTime.fromISO(a.startsAt, { zone: this.d.timeZone });
        if (!at.isValid || at.toMillis() <= this.d.clock.now()) return { ok: false, error: 'BAD_TIME' };
        result = await x.bookMeeting(i, at.toMillis());
        break;
      }
      case 'group':
        result = await x.openGroup(lead);
        break;
      case 'snooze':
        result = await x.snooze(i, a.days);
        break;
      case 'won':
      case 'lost':
        result = await x.close(i, a.action, a.reason);
        break;
    }
    const text = commandReply(result, this.d.timeZone);
    await this.d.outbox.enqueue({ key: `sidebar-reply:${rep}:${key}`, touser: rep, body: { msgtype: 'text', text: { content: text } } });
    // The meeting's link is for the rep to paste to the customer: shown, never sent by us.
    const link = result.action === 'meeting_booked' ? result.link : undefined;
    return { ok: true, action: result.action, text, ...(link ? { link } : {}) };
  }
}
