import type { Lead } from '../domain/lead';
import type { EntrySource } from '../domain/timeline';
import type { LeadRepository } from './ports';

/** What a rep can do to a lead from a command or a card button: one implementation for both. */
export interface ActionContext {
  store: LeadRepository;
  leadId: string;
  /** When it happened (ms). */
  at: number;
  actor: string;
  /** The timeline entry's id (from the message or card event): doing it twice records it once. */
  entryId: string;
  source: EntrySource;
}

export async function snoozeLead(c: ActionContext, days: number): Promise<number> {
  const until = c.at + days * 86_400_000;
  await c.store.updateIfNewer(c.leadId, 'snooze', c.at, (l) => (l.snoozedUntil = until));
  await c.store.addEntry(c.leadId, { id: c.entryId, at: c.at, kind: 'snoozed', source: c.source, actor: c.actor, note: `${days}天` });
  return until;
}

export async function closeLead(c: ActionContext, outcome: Exclude<Lead['outcome'], 'open'>, reason?: string): Promise<void> {
  const { before } = await c.store.updateIfNewer(c.leadId, 'outcome', c.at, (l) => ((l.outcome = outcome), (l.outcomeReason = reason)));
  await c.store.addEntry(c.leadId, { id: c.entryId, at: c.at, kind: 'outcome_changed', source: c.source, actor: c.actor, from: before?.outcome, to: outcome, note: reason });
}
