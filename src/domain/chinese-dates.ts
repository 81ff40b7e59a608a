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
  // chrono reads its reference date, and builds its answers, with the process's local-time getters, so a server whose
  // TZ differs from the business time zone would move 明天 and 今天 to the wrong day. Hand it the business wall clock
  // as a local time, and read the answer back by its calendar components, in the business time zone: the server's TZ
  // drops out.
  const wall = DateTime.fromMillis(now, { zone: timeZone });
  const ref = new Date(wall.year, wall.month - 1, wall.day, wall.hour, wall.minute, wall.second);
  const results = [...chrono.zh.parse(text, ref, { forwardDate: true }), ...chrono.en.parse(text, ref, { forwardDate: true })];
  const r = results.sort((a, b) => a.index - b.index)[0];
  const part = monthPart(text, wall) ?? weekAfterNext(text, wall);
  if (part && (!r || part.index <= r.index)) return part.when;
  if (!r) return undefined;
  const c = r.start;
  const hasTime = c.isCertain('hour');
  const day = DateTime.fromObject({ year: c.get('year') ?? wall.year, month: c.get('month') ?? wall.month, day: c.get('day') ?? wall.day }, { zone: timeZone });
  const at = hasTime ? day.set({ hour: c.get('hour') ?? 0, minute: c.get('minute') ?? 0, second: c.get('second') ?? 0 }) : day.set({ hour: 18 });
  return { at: at.toMillis(), date: day.toISODate() ?? '', hasTime, text: r.text };
}

/**
 * The default start of a meeting booked with one tap: 10:00 on the next business day (ISO weekdays `days`, 1 = Monday)
 * in the business time zone — never a Sunday because "tomorrow" is one.
 */
export function nextBusinessMorning(now: number, timeZone: string, days: readonly number[], hour = 10): number {
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
  return { index: m.index, when: { at: at.toMillis(), date: at.toISODate() ?? '', hasTime: false, text: m[0] } };
}

const WEEKDAYS: Record<string, number> = { 一: 1, 二: 2, 三: 3, 四: 4, 五: 5, 六: 6, 日: 7, 天: 7 };

/** 下下周五 (chrono reads 下周 only): that weekday of the week after next. */
function weekAfterNext(text: string, wall: DateTime): { index: number; when: ParsedWhen } | undefined {
  const m = /下下(?:个)?(?:周|星期|礼拜)([一二三四五六日天])?/.exec(text);
  if (!m) return undefined;
  const day = wall
    .startOf('week')
    .plus({ weeks: 2 })
    .plus({ days: (WEEKDAYS[m[1] ?? '一'] ?? 1) - 1 });
  const at = day.set({ hour: 18 });
  return { index: m.index, when: { at: at.toMillis(), date: at.toISODate() ?? '', hasTime: false, text: m[0] } };
}
