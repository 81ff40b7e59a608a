import type { Signal, CustomerTextReader } from '../domain/signals/reader';
import { signalEntries } from '../domain/signals/suggestion';
import type { TimelineEntry } from '../domain/timeline';
import type { LeadRepository } from './ports';

/**
 * Reads the customer's own words on a lead's timeline — a message from the chat archive, or the note of a logged call —
 * and records what they say: a `signal` entry per signal (with its cue), and a customer's request for a proposal as
 * `proposal_requested`, so the proposal path starts as if the rep had typed 要方案. Idempotent: every entry's id comes
 * from the source entry. The state and decision-date suggestions are derived from these entries (suggestion.ts);
 * the sweep puts them to the rep on a card. The reader only informs the rep: nothing goes to the customer.
 */
export class CustomerSignals {
  constructor(private readonly d: { store: Pick<LeadRepository, 'addEntries'>; reader: CustomerTextReader; timeZone: string }) {}

  /** Reads the words of an entry already on the lead's timeline and records what they say. */
  async read(leadId: string, source: TimelineEntry, text: string): Promise<Signal[]> {
    const { signals, entries } = this.entriesFor(source, text);
    if (entries.length > 0) await this.d.store.addEntries(leadId, entries);
    return signals;
  }

  /**
   * The entries the words of `source` add (signals, a proposal request), without writing them: the archive ingest
   * writes them with the message itself, in one round trip.
   */
  entriesFor(source: TimelineEntry, text: string): { signals: Signal[]; entries: TimelineEntry[] } {
    const signals = this.d.reader.read(text, source.at, this.d.timeZone);
    if (signals.length === 0) return { signals, entries: [] };
    const entries = signalEntries(source, signals);
    if (signals.some((s) => s.signal === 'proposal_request')) {
      entries.push({
        id: `${source.id}:proposal`,
        at: source.at,
        kind: 'proposal_requested',
        source: source.source,
        actor: source.actor,
        customerInitiated: source.kind === 'customer_message' || undefined,
        note: [...text].slice(0, 200).join(''),
      });
    }
    return { signals, entries };
  }
}
