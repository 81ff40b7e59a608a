import * as chrono from 'chrono-node';
import { DateTime } from 'luxon';
import { findWhen, resolveWhen } from './when-reader';

export interface ParsedWhen {
  /** The instant (ms) the phrase means, in the business time zone. */
  at: number;
  /** yyyy-mm-dd of that instant in the business time zone. */
  date: string;
  /** Whether the phrase named a time of day (周四15:00) or only a day (下周三). */
  hasTime: boolean;
  /**
   * How precise the phrase was: a time of day (周四15:00); a part of the day (明天下午: `at` is that part's usual hour);
   * a day (下周三: `at` is 18:00, the end of that business day); or only a week (下周: its Friday, 18:00).
   */
  precision: 'time' | 'part' | 'day' | 'week';
  /** The words that were read as the date. */
  text: string;
}

/**
 * Finds the first date phrase — 下周三, 周四15:00, 明天下午3点, 12月5日, 12.9, 3天后, 后天, 5号, 下周, 月底 — and the exact
 * instant it means relative to `now` in the business time zone (src/domain/when-reader.ts reads Chinese; chrono-node
 * reads English: "tomorrow 3pm"). Pure: the clock is an argument, and the server's TZ plays no part.
 */
export function parseWhen(raw: string, now: number, timeZone: string): ParsedWhen | undefined {
  const wall = DateTime.fromMillis(now, { zone: timeZone });
  const phrase = findWhen(raw);
  const part = monthPart(raw, wall);
  if (part && (!phrase || part.index <= phrase.index)) return part.when;
  if (phrase) {
    const r = resolveWhen(phrase, now, timeZone);
    return { at: r.at, date: r.date, hasTime: r.precision === 'time', precision: r.precision, text: phrase.text };
  }
  return /[A-Za-z]/.test(raw) ? englishWhen(raw, wall, timeZone) : undefined;
}

/**
 * An English phrase, by chrono-node. chrono reads its reference date and builds its answers with the process's
 * local-time getters, so it is handed the business wall clock as a local time and read back by calendar components.
 */
function englishWhen(text: string, wall: DateTime, timeZone: string): ParsedWhen | undefined {
  const ref = new Date(wall.year, wall.month - 1, wall.day, wall.hour, wall.minute, wall.second);
  const r = chrono.en.parse(text, ref, { forwardDate: true })[0];
  if (!r) return undefined;
  const c = r.start;
  const day = DateTime.fromObject({ year: c.get('year') ?? wall.year, month: c.get('month') ?? wall.month, day: c.get('day') ?? wall.day }, { zone: timeZone });
  const timed = c.isCertain('hour');
  const at = day.set({ hour: timed ? (c.get('hour') ?? 0) : 18, minute: timed ? (c.get('minute') ?? 0) : 0, second: 0, millisecond: 0 });
  return { at: at.toMillis(), date: at.toISODate() ?? '', hasTime: timed, precision: timed ? 'time' : 'day', text: r.text };
}

/** When a meeting starts when only its day is known: a one-tap booking, or 「会议 王总 下周三」. */
const MEETING_HOUR = 10;

/**
 * When a meeting the rep named starts: the time they said (周四15:00), or the usual hour of the part of the day they
 * said (明天下午 → 15:00); for a day alone (下周三), 10:00 that day in the business time zone. Undefined when that is
 * too vague to book — a week alone (下周), or today without a time once 10:00 has passed — so the bot asks.
 */
export function meetingStart(when: ParsedWhen, now: number, timeZone: string): number | undefined {
  switch (when.precision) {
    case 'time':
    case 'part':
      return when.at;
    case 'day': {
      const at = DateTime.fromISO(when.date, { zone: timeZone }).set({ hour: MEETING_HOUR }).toMillis();
      return at > now ? at : undefined;
    }
    case 'week':
      return undefined;
  }
}

/**
 * The default start of a meeting booked with one tap: 10:00 on the next business day (ISO weekdays `days`, 1 = Monday)
 * in the business time zone — never a Sunday because "tomorrow" is one.
 */
export function nextBusinessMorning(now: number, timeZone: string, days: readonly number[], hour = MEETING_HOUR): number {
  let d = DateTime.fromMillis(now, { zone: timeZone }).plus({ days: 1 }).set({ hour, minute: 0, second: 0, millisecond: 0 });
  for (let i = 0; i < 7 && days.length > 0 && !days.includes(d.weekday); i++) d = d.plus({ days: 1 });
  return d.toMillis();
}

/**
 * The parts of a month and a year people decide by, which chrono does not read: 月底 / 月末 (the month's last day),
 * 月中 (the 15th), 月初 (the 5th), 年底 / 年末 (31 December); 下个月底 is next month's. A part already past means the
 * next one (月中 said on the 20th is next month's 15th).
 */
function monthPart(text: string, wall: DateTime): { index: number; when: ParsedWhen } | undefined {
  const m = /(下个?月|本月|这个?月)(底|末|中|初)|月(底|末|中|初)|(今年|明年)?年(底|末)/.exec(text);
  if (!m) return undefined;
  let day: DateTime;
  if (m[5]) {
    day = wall.set({ month: 12, day: 31 }).plus({ years: m[4] === '明年' ? 1 : 0 });
  } else {
    const part = m[2] ?? m[3];
    const month = wall.startOf('month').plus({ months: m[1]?.startsWith('下') ? 1 : 0 });
    const pick = (mo: DateTime) => (part === '中' ? mo.set({ day: 15 }) : part === '初' ? mo.set({ day: 5 }) : mo.endOf('month'));
    day = pick(month);
    if (day.startOf('day') < wall.startOf('day') && !m[1]) day = pick(month.plus({ months: 1 }));
  }
  const at = day.set({ hour: 18, minute: 0, second: 0, millisecond: 0 });
  return { index: m.index, when: { at: at.toMillis(), date: at.toISODate() ?? '', hasTime: false, precision: 'day', text: m[0] } };
}
