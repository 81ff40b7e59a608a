import type { SourceChannel } from './lead';

/** A rule of config/app.json → ledger.sourceRules: a `State` (contact-way state or 获客链接 channel) matching
 * `pattern` (a case-insensitive regular expression) comes from `source`. First match wins. */
export interface SourceRule {
  pattern: string;
  source: SourceChannel;
}

export function mapSource(state: string | undefined, rules: readonly SourceRule[]): SourceChannel {
  if (!state) return 'other';
  for (const r of rules) if (new RegExp(r.pattern, 'i').test(state)) return r.source;
  return 'other';
}
