import * as chrono from 'chrono-node';
import { DateTime } from 'luxon';
import { chineseNumber } from './rephrase';

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
 * Finds a Chinese (or English) date phrase — 下周三, 周四15:00, 明天下午3点, 12月5日, 3天后, 后天, 5号, 下周 — with
 * chrono-node, relative to `now` in the business time zone, preferring the future. Pure: the clock is an argument.
 * What chrono does not read is spelt out for it first (后天 → 11月29日, 5号 → 12月5日); a part of the day without a
 * time (明天下午) gets that part's usual hour; a time from 1 to 6 o'clock without 上午 or 凌晨 (两点半) is afternoon, as
 * business hours are.
 */
export function parseWhen(raw: string, now: number, timeZone: string): ParsedWhen | undefined {
  // chrono reads its reference date, and builds its answers, with the process's local-time getters, so a server whose
  // TZ differs from the business time zone would move 明天 and 今天 to the wrong day. Hand it the business wall clock
  // as a local time, and read the answer back by its calendar components, in the business time zone: the server's TZ
  // drops out.
  const wall = DateTime.fromMillis(now, { zone: timeZone });
  const text = spellOutDays(raw, wall);
  const ref = new Date(wall.year, wall.month - 1, wall.day, wall.hour, wall.minute, wall.second);
  const results = [...chrono.zh.parse(text, ref, { forwardDate: true }), ...chrono.en.parse(text, ref, { forwardDate: true })];
  const r = results.sort((a, b) => a.index - b.index)[0];
  const part = monthPart(text, wall) ?? weekAfterNext(text, wall) ?? wholeWeek(text, wall);
  if (part && (!r || part.index <= r.index)) return part.when;
  if (!r) return undefined;
  const c = r.start;
  const day = DateTime.fromObject({ year: c.get('year') ?? wall.year, month: c.get('month') ?? wall.month, day: c.get('day') ?? wall.day }, { zone: timeZone });
  const said = PART_OF_DAY.exec(text.slice(r.index, r.index + r.text.length + 4))?.[0];
  if (c.isCertain('hour')) {
    let hour = c.get('hour') ?? 0;
    let on = day;
    if (hour >= 1 && hour <= 6 && !c.isCertain('meridiem') && !(said && MORNING.test(said))) {
      hour += 12;
      // chrono moved a bare 两点半 to tomorrow as 02:30 had passed; 14:30 today may still be ahead.
      if (!c.isCertain('day')) on = wall.set({ hour, minute: c.get('minute') ?? 0 }) > wall ? wall : wall.plus({ days: 1 });
    }
    const at = on.set({ hour, minute: c.get('minute') ?? 0, second: 0, millisecond: 0 });
    return { at: at.toMillis(), date: at.toISODate() ?? '', hasTime: true, precision: 'time', text: r.text };
  }
  const at = day.set({ hour: said ? (PART_HOURS[said] ?? 18) : 18, minute: 0, second: 0, millisecond: 0 });
  return { at: at.toMillis(), date: day.toISODate() ?? '', hasTime: false, precision: said ? 'part' : 'day', text: r.text };
}

/** Parts of the day people name instead of a time, and the hour a meeting in them usually starts. */
const PART_HOURS: Record<string, number> = { 上午: 10, 早上: 9, 早晨: 9, 明早: 9, 中午: 12, 下午: 15, 傍晚: 17, 晚上: 19, 今晚: 19, 明晚: 19 };
const PART_OF_DAY = new RegExp(Object.keys(PART_HOURS).join('|'));
const MORNING = /上午|早上|早晨|明早|凌晨/;

/** A day or month number as written: 5, 12, 五, 十二, 二十三. */
const dayNumber = (s: string) => (/^\d+$/.test(s) ? Number(s) : chineseNumber(s));

/**
 * Day words chrono's Chinese parser does not read, spelt out as a month and day it does: 后天, 大后天, and a day of the
 * month without its month (5号 is this month's 5th, or next month's when that is past; 下个月5号 is next month's).
 */
function spellOutDays(text: string, wall: DateTime): string {
  const md = (d: DateTime) => `${d.month}月${d.day}日`;
  const inMonth = (base: DateTime, n: number) => base.set({ day: Math.min(n, base.daysInMonth ?? 28) });
  return (
    text
      .replace(/大后天/g, () => md(wall.plus({ days: 3 })))
      .replace(/后天/g, () => md(wall.plus({ days: 2 })))
      // 十二月二十三号 → 12月23日 (chrono misreads Chinese days past 20)
      .replace(new RegExp(`(${CN_DAY})月(${CN_DAY})[号日]`, 'g'), (m, mo: string, d: string) => {
        const month = dayNumber(mo);
        const day = dayNumber(d);
        return month && month <= 12 && day && day <= 31 ? `${month}月${day}日` : m;
      })
      // 下个月5号 / 本月20号
      .replace(new RegExp(`(下个?月|本月|这个?月)(${CN_DAY})[号日]`, 'g'), (m, mo: string, d: string) => {
        const day = dayNumber(d);
        return day && day <= 31 ? md(inMonth(wall.startOf('month').plus({ months: mo.startsWith('下') ? 1 : 0 }), day)) : m;
      })
      // 5号 alone: this month's, or next month's once past
      .replace(new RegExp(`(?<![\\d月零一二三四五六七八九十])(${CN_DAY})[号日](?![子元本楼线位床店机])`, 'g'), (m, d: string) => {
        const day = dayNumber(d);
        if (!day || day > 31) return m;
        const base = wall.startOf('month').plus({ months: day < wall.day ? 1 : 0 });
        return md(inMonth(base, day));
      })
  );
}

/** A day or month number as people write it: 5, 12, 五, 十二, 二十三. */
const CN_DAY = '\\d{1,2}|[一二三]?十[一二三四五六七八九]?|[一二三四五六七八九]';

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

const WEEKDAYS: Record<string, number> = { 一: 1, 二: 2, 三: 3, 四: 4, 五: 5, 六: 6, 日: 7, 天: 7 };

/** 下下周五 (chrono reads 下周 only): that weekday of the week after next; 下下周 alone is that week's Friday. */
function weekAfterNext(text: string, wall: DateTime): { index: number; when: ParsedWhen } | undefined {
  const m = /下下(?:个)?(?:周|星期|礼拜)([一二三四五六日天])?/.exec(text);
  if (!m) return undefined;
  const day = wall
    .startOf('week')
    .plus({ weeks: 2 })
    .plus({ days: (WEEKDAYS[m[1] ?? '五'] ?? 5) - 1 });
  const at = day.set({ hour: 18 });
  return { index: m.index, when: { at: at.toMillis(), date: at.toISODate() ?? '', hasTime: false, precision: m[1] ? 'day' : 'week', text: m[0] } };
}

/** 下周, 这周, 本周 without a weekday (「下周给答复」): by that week's Friday (today, when this week's Friday is past). */
function wholeWeek(text: string, wall: DateTime): { index: number; when: ParsedWhen } | undefined {
  const m = /(下|这|本)(?:个)?(?:周|星期|礼拜)(?![一二三四五六日天\d末])/.exec(text);
  if (!m) return undefined;
  let day = wall
    .startOf('week')
    .plus({ weeks: m[1] === '下' ? 1 : 0 })
    .plus({ days: 4 });
  if (day.startOf('day') < wall.startOf('day')) day = wall;
  const at = day.set({ hour: 18, minute: 0, second: 0, millisecond: 0 });
  return { index: m.index, when: { at: at.toMillis(), date: at.toISODate() ?? '', hasTime: false, precision: 'week', text: m[0] } };
}
