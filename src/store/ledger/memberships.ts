import { BUYING_STATES, isFollowedUp, isManual, OUTCOMES, type Lead } from '../../domain/lead';

/**
 * The one rule for which indexes a lead belongs to, used by every write, the bulk load and the repair. Every index a
 * list can be filtered by is a sorted set scored by the lead's creation time, so one filter is one range read
 * (newest first) at any size, and several intersect by walking the smallest. For `lastcust` the creation time is only
 * a floor (customer touches raise it). Open is not listed: `outcome=open` is `all` without the closed lists. A merged lead belongs to none: it stays only as a pointer to the lead it went
 * into.
 */
export interface Memberships {
  ordered: { name: string; score: number }[];
}

export function membershipsOf(lead: Lead): Memberships {
  if (lead.mergedInto) return { ordered: [] };
  const at = lead.createdAt;
  return {
    ordered: [
      { name: 'all', score: at },
      { name: `owner:${lead.owner}`, score: at },
      { name: 'lastcust', score: at },
      { name: `state:${lead.state}`, score: at },
      // Open leads are the rest of `all`: only the closed ones have a list (an open lead costs no entry here).
      ...(lead.outcome === 'open' ? [] : [{ name: `outcome:${lead.outcome}`, score: at }]),
      ...(isManual(lead) && isFollowedUp(lead) ? [{ name: `manual:${lead.owner}`, score: at }] : []),
    ],
  };
}

/** The state, outcome and manual indexes a lead can be in that its memberships may not name: what a write takes it out of. */
export function possibleSetsOf(owner: string): string[] {
  return [...BUYING_STATES.map((s) => `state:${s}`), ...OUTCOMES.map((o) => `outcome:${o}`), `manual:${owner}`];
}

/** Whether a lead belongs in the index `name` (the repair's test; `due` holds every lead that is not merged). */
export function belongsIn(lead: Lead, name: string): boolean {
  if (name === 'due') return !lead.mergedInto;
  return membershipsOf(lead).ordered.some((o) => o.name === name);
}
