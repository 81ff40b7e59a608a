import type { BuyingState, Lead } from '../lead';
import type { TimelineEntry } from '../timeline';
import type { SignalKind } from './lexicon';
import { stateOfSignals, type Signal } from './reader';

/** The state the customer's own words point to, while it differs from the lead's and the rep has not answered it. */
export interface StateSuggestion {
  state: BuyingState;
  /** 0–1: the evidence combined (each message's cue weight, as independent pieces of evidence). */
  confidence: number;
  /** The entries (customer messages, call notes) the evidence came from. */
  evidence: string[];
  /** The customer's words of the strongest evidence, to quote to the rep. */
  cue: string;
  at: number;
}

/** The decision date the customer named, while it differs from the lead's and the rep has not answered it. */
export interface DecisionSuggestion {
  date: string;
  cue: string;
  evidence: string[];
  at: number;
}

/** Below this, evidence is not put to the rep. */
export const SUGGEST_FROM = 0.6;

const STATE_SIGNALS: SignalKind[] = ['competitors', 'undecided', 'price'];

/** A signal entry per signal found in a source entry: ids derived from the source, so reading it twice adds nothing. */
export function signalEntries(source: TimelineEntry, signals: readonly Signal[]): TimelineEntry[] {
  return signals.map((s) => ({
    id: `${source.id}:signal:${s.signal}`,
    at: source.at,
    kind: 'signal',
    source: source.source,
    actor: source.actor,
    chatId: source.chatId,
    signal: s.signal,
    cue: s.cue,
    confidence: s.weight,
    sourceEntryId: source.id,
    ...(s.date ? { date: s.date } : {}),
  }));
}

/** The timeline without the signals of messages the customer recalled (a recall's `recalls`): taken back, not read. */
function withoutRecalled(timeline: readonly TimelineEntry[]): readonly TimelineEntry[] {
  const recalled = new Set(timeline.flatMap((e) => (e.recalls ? [e.recalls] : [])));
  return recalled.size === 0 ? timeline : timeline.filter((e) => !(e.kind === 'signal' && e.sourceEntryId && recalled.has(e.sourceEntryId)));
}

const lastAt = (timeline: readonly TimelineEntry[], pred: (e: TimelineEntry) => boolean) =>
  timeline.reduce((at, e) => (pred(e) && e.at > at ? e.at : at), Number.NEGATIVE_INFINITY);

/**
 * The state suggestion of a lead: the customer-side signals since the rep last set the state or answered a
 * suggestion, one state per message (other vendors → 陪跑, not decided → 观望, a price → 比价), the best-supported state
 * if it is not the lead's already. Null when there is nothing to ask. Pure.
 */
export function stateSuggestionOf(lead: Pick<Lead, 'state'>, all: readonly TimelineEntry[]): StateSuggestion | null {
  const timeline = withoutRecalled(all);
  const since = lastAt(timeline, (e) => e.kind === 'state_changed' || (e.kind === 'suggestion_answered' && e.note === 'state'));
  const bySource = new Map<string, TimelineEntry[]>();
  for (const e of timeline) {
    if (e.kind !== 'signal' || !e.signal || !STATE_SIGNALS.includes(e.signal) || e.at < since || !e.sourceEntryId) continue;
    bySource.set(e.sourceEntryId, [...(bySource.get(e.sourceEntryId) ?? []), e]);
  }
  const per = new Map<BuyingState, { miss: number; evidence: string[]; best?: TimelineEntry; at: number }>();
  for (const [sourceId, entries] of bySource) {
    const state = stateOfSignals(entries.map((e) => ({ signal: e.signal as SignalKind })));
    if (!state) continue;
    const strongest = entries.reduce((a, b) => ((b.confidence ?? 0) > (a.confidence ?? 0) ? b : a));
    const cur = per.get(state) ?? { miss: 1, evidence: [], at: 0 };
    cur.miss *= 1 - (strongest.confidence ?? 0.5);
    cur.evidence.push(sourceId);
    if (!cur.best || (strongest.confidence ?? 0) >= (cur.best.confidence ?? 0)) cur.best = strongest;
    cur.at = Math.max(cur.at, strongest.at);
    per.set(state, cur);
  }
  let winner: StateSuggestion | null = null;
  for (const state of ['benchmarking', 'exploring', 'price_check'] as const) {
    const p = per.get(state);
    if (!p) continue;
    const confidence = Math.round((1 - p.miss) * 100) / 100;
    if (confidence >= SUGGEST_FROM && (!winner || confidence > winner.confidence))
      winner = { state, confidence, evidence: p.evidence, cue: p.best?.cue ?? '', at: p.at };
  }
  return winner && winner.state !== lead.state ? winner : null;
}

/** The latest decision date the customer named since the rep last set or answered one, if it is not the lead's. Pure. */
export function decisionSuggestionOf(lead: Pick<Lead, 'decisionDate'>, all: readonly TimelineEntry[], today: string): DecisionSuggestion | null {
  const timeline = withoutRecalled(all);
  const since = lastAt(timeline, (e) => e.kind === 'decision_date_set' || (e.kind === 'suggestion_answered' && e.note === 'decision'));
  const named = timeline
    .filter((e) => e.kind === 'signal' && e.signal === 'decision_timing' && e.date && e.at >= since && e.date >= today)
    .sort((a, b) => a.at - b.at)
    .at(-1);
  if (!named?.date || named.date === lead.decisionDate) return null;
  return { date: named.date, cue: named.cue ?? '', evidence: [named.sourceEntryId ?? named.id], at: named.at };
}

/** Every decision date the lead was given, in order, and how many times it slipped (a later date than the one before). */
export function decisionHistory(timeline: readonly TimelineEntry[]): { dates: { date: string; at: number; source: string }[]; slips: number } {
  const dates = timeline
    .filter((e) => e.kind === 'decision_date_set' && e.to)
    .sort((a, b) => a.at - b.at)
    .map((e) => ({ date: e.to as string, at: e.at, source: e.source }));
  let slips = 0;
  for (let i = 1; i < dates.length; i++) if ((dates[i]?.date ?? '') > (dates[i - 1]?.date ?? '')) slips++;
  return { dates, slips };
}
