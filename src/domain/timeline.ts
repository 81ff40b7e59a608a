import type { SignalKind } from './signals/lexicon';

/** The append-only engagement timeline of a lead. Each entry says when it happened and where we learnt it. */

export const TIMELINE_KINDS = [
  'added',
  'customer_message',
  'rep_message',
  'call',
  'meeting_scheduled',
  'meeting_held',
  /** A booked meeting that did not happen (cancelled, not held, moved): `note` says which. */
  'meeting_missed',
  'group_created',
  'member_joined',
  'member_left',
  'proposal_requested',
  'document_sent',
  'nudge_sent',
  'nudge_acted',
  'nudge_resolved',
  'nudge_ignored',
  'state_changed',
  'outcome_changed',
  'contact_deleted',
  'decision_date_set',
  'snoozed',
  'merged',
  /** What the reader found in a customer's words (src/domain/signals): `signal`, `cue`, `sourceEntryId`, `date`. */
  'signal',
  /** The rep's answer to a suggestion card: `note` says which (state / decision), `to` the answer (a state, a date, or none). */
  'suggestion_answered',
  /** On the board: a manager asked the owner to follow the lead up now (提醒他), or took the next call (我来跟). */
  'manager_reminded',
  'manager_took',
] as const;
export type TimelineKind = (typeof TIMELINE_KINDS)[number];

export type EntrySource = 'callback' | 'archive' | 'command' | 'card' | 'reconcile' | 'api' | 'sidebar';

export interface TimelineEntry {
  /** Deterministic id (from the event it came from), so recording it twice is a no-op. */
  id: string;
  /** When it happened (ms since the epoch). */
  at: number;
  kind: TimelineKind;
  source: EntrySource;
  /** Who did it: rep userid or customer external id. */
  actor?: string;
  /** Call minutes; meeting minutes; active group conversation minutes. */
  minutes?: number;
  outcome?: string;
  note?: string;
  chatId?: string;
  /** For group and meeting entries: the people concerned. */
  members?: string[];
  /** Whether the touch came from the customer side (a message, a call they placed, joining a group). */
  customerInitiated?: boolean;
  /** For state/outcome changes. */
  from?: string;
  to?: string;
  /** For nudges: which kind, and which nudge (its id) a press answered. */
  nudgeKind?: string;
  nudgeId?: string;
  /** For meetings. */
  startsAt?: number;
  link?: string;
  /** For booked meetings: WeCom's meeting id. */
  meetingId?: string;
  /** For a held or missed meeting that had been booked: the booking's entry id. */
  scheduledId?: string;
  /** For held meetings: how many people from the customer's side were in it (WeCom's attendance, when read). */
  customerAttendees?: number;
  /** For signals: which, the customer's words that triggered it, the entry they came from, how sure (0–1), a date. */
  signal?: SignalKind;
  cue?: string;
  sourceEntryId?: string;
  /** For archived messages: what kind of message it was (WeCom's msgtype: text, image, file, …; `unknown` if new to us). */
  msgtype?: string;
  /** A recalled message's entry id (the recall's entry): its signals no longer count. */
  recalls?: string;
  confidence?: number;
  date?: string;
}
