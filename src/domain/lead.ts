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

/** Still being followed up: open, and the rep has not deleted the customer. */
export function isFollowedUp(lead: Lead): boolean {
  return lead.outcome === 'open' && lead.relationship !== 'closed';
}

/** The name a rep sees: their remark if they set one, else the WeCom name. */
export function displayName(lead: Lead): string {
  return lead.remark || lead.name;
}
