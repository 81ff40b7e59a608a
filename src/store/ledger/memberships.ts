import { BUYING_STATES, isFollowedUp, isManual, OUTCOMES, type Lead } from '../../domain/lead';

/**
 * The one rule for which indexes a lead belongs to, used by every write, the bulk load and the repair. Ordered
 * indexes carry a score: creation time for the lists; for `lastcust` the creation time is only a floor (customer
 * touches raise it). A merged lead belongs to none: it stays only as a pointer to the lead it went into.
 */
export interface Memberships {
  ordered: { name: string; score: number }[];
  sets: string[];
}

export function membershipsOf(lead: Lead): Memberships {
  if (lead.mergedInto) return { ordered: [], sets: [] };
  return {
    ordered: [
      { name: 'all', score: lead.createdAt },
      { name: `owner:${lead.owner}`, score: lead.createdAt },
      { name: 'lastcust', score: lead.createdAt },
    ],
    sets: [`state:${lead.state}`, `outcome:${lead.outcome}`, ...(isManual(lead) && isFollowedUp(lead) ? [`manual:${lead.owner}`] : [])],
  };
}

/** The per-lead indexes a lead can be in that its memberships may not name: what a write must take it out of. */
export function possibleSetsOf(owner: string): string[] {
  return [...BUYING_STATES.map((s) => `state:${s}`), ...OUTCOMES.map((o) => `outcome:${o}`), `manual:${owner}`];
}

/** Whether a lead belongs in the index `name` (the repair's test; `due` holds every lead that is not merged). */
export function belongsIn(lead: Lead, name: string): boolean {
  if (name === 'due') return !lead.mergedInto;
  const m = membershipsOf(lead);
  return m.ordered.some((o) => o.name === name) || m.sets.includes(name);
}
