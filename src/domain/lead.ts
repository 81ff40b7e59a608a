import { asMarkdown } from './outsider-text';
/** The lead: one customer, as the sales method sees them (docs/method.md). Pure data; no I/O. */

export const BUYING_STATES = ['unknown', 'exploring', 'price_check', 'benchmarking'] as const;
export type BuyingState = (typeof BUYING_STATES)[number];

export const OUTCOMES = ['open', 'won', 'lost'] as const;
export type Outcome = (typeof OUTCOMES)[number];

export const SOURCES = ['phone', 'inquiry', 'web', 'store', 'marketing', 'other'] as const;
export type SourceChannel = (typeof SOURCES)[number];

export const STATE_LABELS: Record<BuyingState, string> = {
  unknown: '未定位',
  exploring: '不确定买不买，先看看方案',
  price_check: '出来比价',
  benchmarking: '已接触过几家供应商，来看我们的特色',
};

export const SOURCE_LABELS: Record<SourceChannel, string> = {
  phone: '电话单',
  inquiry: '询价单',
  web: '网单',
  store: '门店单',
  marketing: '市场部转入',
  other: '其他',
};

export interface Lead {
  /** The customer's external_userid for WeCom leads; `m-…` for a manual lead not yet on WeCom. */
  id: string;
  externalUserId?: string;
  name: string;
  company?: string;
  /** The rep's remark for this customer in WeCom (often how the rep names them: 王总, 李部长). */
  remark?: string;
  owner: string;
  source: SourceChannel;
  state: BuyingState;
  outcome: Outcome;
  outcomeReason?: string;
  /** Whether the customer agreed to have their chat archived (会话内容存档), and when they said so. */
  archiveConsent?: { agreed: boolean; at: number };
  /** ISO date (yyyy-mm-dd, business time zone) the customer said they would decide by. */
  decisionDate?: string;
  /** Customer-side people (external user ids) in the lead's groups and meetings, the customer included. */
  stakeholders: string[];
  /** Customer groups (chat ids) the lead's customer is in. */
  groups: string[];
  /** WeCom relationship: `active`; `lost_contact` when the customer deleted the rep; `closed` when the rep deleted them. */
  relationship: 'active' | 'lost_contact' | 'closed';
  /** Until when the rep asked not to be nudged (ms). */
  snoozedUntil?: number;
  /** A manual lead that turned out to be this WeCom customer: its history now lives on that lead. */
  mergedInto?: string;
  createdAt: number;
  /** When each last-writer-wins field was last set (ms), so replays in any order converge. */
  stamps: Partial<Record<'owner' | 'state' | 'outcome' | 'decisionDate' | 'relationship' | 'profile' | 'snooze', number>>;
}

export function newLead(init: Pick<Lead, 'id' | 'name' | 'owner' | 'source' | 'createdAt'> & Partial<Lead>): Lead {
  return {
    state: 'unknown',
    outcome: 'open',
    stakeholders: init.externalUserId ? [init.externalUserId] : [],
    groups: [],
    relationship: 'active',
    stamps: {},
    ...init,
  };
}

/**
 * Last-writer-wins by the time the fact happened (WeCom's CreateTime, not our processing time): applying the same
 * facts in any order, any number of times, leaves the same lead.
 */
export function setIfNewer<K extends keyof Lead['stamps']>(lead: Lead, stamp: K, at: number, apply: (l: Lead) => void): boolean {
  const prev = lead.stamps[stamp];
  if (prev !== undefined && prev > at) return false;
  apply(lead);
  lead.stamps[stamp] = at;
  return true;
}

/** Still being followed up: open, the rep has not deleted the customer, and not merged into another lead. */
export function isFollowedUp(lead: Lead): boolean {
  return lead.outcome === 'open' && lead.relationship !== 'closed' && !lead.mergedInto;
}

/** A lead the rep made by hand (「线索 张总 询价单」) before the customer was on WeCom. */
export function isManual(lead: Lead): boolean {
  return lead.id.startsWith('m-');
}

const comparable = (s: string | undefined) => (s ?? '').replace(/\s+/g, '').toLowerCase();

/**
 * The rep's open manual leads that may be this new WeCom customer (same owner), by whose words match: `byRemark`, the
 * manual lead's name is the remark the rep gave the customer — the rep's own word, safe to merge on; `byCustomer`, it
 * is only the WeCom name or the company, which the customer chose: anyone can call themselves 赵总 and add the rep,
 * so these are put to the rep, never merged on their own.
 */
export function manualLeadsMatching(candidates: Lead[], customer: Lead): { byRemark: Lead[]; byCustomer: Lead[] } {
  const open = candidates.filter((m) => isManual(m) && isFollowedUp(m) && m.owner === customer.owner);
  const remark = comparable(customer.remark);
  const chosen = new Set([customer.name, customer.company].map(comparable).filter(Boolean));
  const byRemark = remark ? open.filter((m) => comparable(m.name) === remark) : [];
  return { byRemark, byCustomer: open.filter((m) => !byRemark.includes(m) && chosen.has(comparable(m.name))) };
}

/**
 * Folds what the rep knew about a manual lead into the WeCom customer's lead (a copy is returned): its buying state,
 * decision date and snooze by last-writer-wins, a known channel over 'other', and the earlier start.
 */
export function absorbManualLead(target: Lead, manual: Lead): Lead {
  const next: Lead = structuredClone(target);
  next.createdAt = Math.min(next.createdAt, manual.createdAt);
  if (next.source === 'other') next.source = manual.source;
  const take = <K extends 'state' | 'decisionDate' | 'snooze'>(stamp: K, apply: (l: Lead) => void) => {
    const at = manual.stamps[stamp];
    if (at !== undefined) setIfNewer(next, stamp, at, apply);
  };
  take('state', (l) => (l.state = manual.state));
  take('decisionDate', (l) => (l.decisionDate = manual.decisionDate));
  take('snooze', (l) => (l.snoozedUntil = manual.snoozedUntil));
  return next;
}

/**
 * The name a rep sees: their remark if they set one, else the WeCom name (which the customer chose) — as data, safe in
 * a text message, markdown and a card alike (src/domain/outsider-text.ts), and capped.
 */
export function displayName(lead: Lead): string {
  return asMarkdown(lead.remark || lead.name);
}

/** The company a customer gave, shown the same way (undefined when they gave none). */
export function displayCompany(lead: Lead): string | undefined {
  return lead.company ? asMarkdown(lead.company) : undefined;
}
