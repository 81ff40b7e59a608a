import * as chrono from 'chrono-node';
import { DateTime } from 'luxon';

export interface ParsedWhen {
  /** The instant (ms) the phrase means, in the business time zone. */
  at: number;
  /** yyyy-mm-dd of that instant in the business time zone. */
  date: string;
  /** Whether the phrase named a time of day (周四15:00) or only a day (下周三). */
  hasTime: boolean;
  /** The words that were read as the date. */
  text: string;
}

/**
 * Finds a Chinese (or English) date phrase — 下周三, 周四15:00, 明天下午3点, 12月5日, 3天后 — with chrono-node, relative to
 * `now` in the business time zone, preferring the future. Pure: the clock is an argument.
 */
export function parseWhen(text: string, now: number, timeZone: string): ParsedWhen | undefined {
  const offset = DateTime.fromMillis(now, { zone: timeZone }).offset;
  const ref = { instant: new Date(now), timezone: offset };
  const results = [...chrono.zh.parse(text, ref, { forwardDate: true }), ...chrono.en.parse(text, ref, { forwardDate: true })];
  const r = results.sort((a, b) => a.index - b.index)[0];
  if (!r) return undefined;
  const hasTime = r.start.isCertain('hour');
  const at = r.start.date().getTime();
  const local = DateTime.fromMillis(at, { zone: timeZone });
  return { at: hasTime ? at : local.set({ hour: 18, minute: 0, second: 0, millisecond: 0 }).toMillis(), date: local.toISODate() ?? '', hasTime, text: r.text };
}
