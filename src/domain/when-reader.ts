import { DateTime } from 'luxon';
import { chineseNumber } from './rephrase';

/**
 * The pieces of one Chinese date-and-time phrase as written, before it is resolved against a moment: a day (relative,
 * a weekday, a date of the calendar, N days on), a part of the day, a clock time. Read left to right from one
 * position: 「下周五下午3点半」 is day 下周五, part 下午, time 3:30.
 */
export interface WhenPhrase {
  index: number;
  text: string;
  day?:
    | { kind: 'relative'; days: number }
    | { kind: 'months'; months: number }
    | { kind: 'weekday'; weeks: number | undefined; weekday: number }
    | { kind: 'week'; weeks: number }
    | { kind: 'date'; month?: number; monthOffset?: number; day: number };
  part?: string;
  time?: { hour: number; minute: number; explicitPart: boolean };
}

const CN = '[零一二两三四五六七八九十]';
const num = (s: string | undefined): number | undefined => (s === undefined ? undefined : /^\d+$/.test(s) ? Number(s) : chineseNumber(s));

/** 今天 … 大后天, and the words that carry a part of the day with them (明早 is tomorrow morning). */
const RELATIVE: Record<string, [number, string?]> = {
  前天: [-2],
  昨天: [-1],
  今天: [0],
  今日: [0],
  今儿: [0],
  明天: [1],
  明日: [1],
  明儿: [1],
  后天: [2],
  大后天: [3],
  今早: [0, '早上'],
  今晚: [0, '晚上'],
  今夜: [0, '晚上'],
  明早: [1, '早上'],
  明晚: [1, '晚上'],
};
const WEEK_PREFIX: Record<string, number> = { 上: -1, 这: 0, 本: 0, 下: 1, 下下: 2 };
const WEEKDAY: Record<string, number> = { 一: 1, 二: 2, 三: 3, 四: 4, 五: 5, 六: 6, 日: 7, 天: 7, 末: 6 };

// Each piece is a sticky expression tried at one position; together they read a phrase in one pass.
const RELATIVE_RE = /大后天|前天|昨天|今天|今日|今儿|明天|明日|明儿|后天|今早|今晚|今夜|明早|明晚/y;
const N_DAYS_RE = new RegExp(`(\\d{1,3}|${CN}{1,3})个?(?:天|日)(?:后|以后|之后)`, 'y');
/** 两周后, 3个星期以后, 一个月后, 半个月后, 过两天. */
const N_WEEKS_RE = new RegExp(`(\\d{1,2}|${CN}{1,3})个?(?:周|星期|礼拜)(?:后|以后|之后)`, 'y');
const N_MONTHS_RE = new RegExp(`(\\d{1,2}|${CN}{1,3}|半)个月(?:后|以后|之后)`, 'y');
const AFTER_DAYS_RE = new RegExp(`过(\\d|[一两三四五六七八九十])天`, 'y');
const WEEKDAY_RE = /(下下|下|这|本|上)?个?(?:周|星期|礼拜)(?:\s?(?:周|星期|礼拜))?([一二三四五六日天末])?/y;
const DATE_RE = new RegExp(
  `(?:(\\d{1,2}|十[一二]?|[一二三四五六七八九])月|(下个?月|本月|这个?月))(\\d{1,2}|[一二三]?十[一二三四五六七八九]?|[一二三四五六七八九])(?:号|日)?`,
  'y',
);
const DAY_OF_MONTH_RE = /(\d{1,2}|[一二三]?十[一二三四五六七八九]?|[一二三四五六七八九])(?:号|日)(?![子元本楼线位床店机])/y;
/** 12/9, 12-9, 12.9 (month first), not a decimal or an amount (12.9万, 1.5小时). */
const NUMERIC_DATE_RE = /(\d{1,2})[/.-](\d{1,2})(?![\d.]|\s?(?:万|元|块|千|百|k|K|%|小时|个|分|h|折|倍|岁|人|天|周))/y;
const PART_RE = /凌晨|早上|早晨|上午|中午|下午|傍晚|晚上|夜里/y;
const TIME_RE = new RegExp(`(\\d{1,2}|${CN}{1,3})(?:[:：](\\d{2})|(?:点|时)(?:(半)|(一刻|三刻)|(整)|(\\d{1,2}|${CN}{1,3})分?)?)`, 'y');

/** What a phrase may start with: skipping every other position keeps the scan short. */
const STARTS = /[\d今明后大前昨下这本上周星礼凌早中傍晚夜零一二两三四五六七八九十半过]/;

function at(re: RegExp, text: string, i: number): RegExpExecArray | null {
  re.lastIndex = i;
  return re.exec(text);
}

/** Spaces and 的 between the pieces (「下周五 下午3点」, 「明天的下午」). */
function gap(text: string, i: number): number {
  let j = i;
  while (text[j] === ' ' || text[j] === '的') j++;
  return j;
}

function readDay(text: string, i: number): { day: NonNullable<WhenPhrase['day']>; part?: string; end: number } | undefined {
  let m = at(RELATIVE_RE, text, i);
  if (m) {
    const [days, part] = RELATIVE[m[0]] as [number, string?];
    return { day: { kind: 'relative', days }, part, end: i + m[0].length };
  }
  if ((m = at(N_DAYS_RE, text, i))) {
    const n = num(m[1]);
    if (n !== undefined && n <= 365) return { day: { kind: 'relative', days: n }, end: i + m[0].length };
  }
  if ((m = at(N_WEEKS_RE, text, i))) {
    const n = num(m[1]);
    if (n !== undefined && n <= 52) return { day: { kind: 'relative', days: n * 7 }, end: i + m[0].length };
  }
  if ((m = at(N_MONTHS_RE, text, i))) {
    const n = m[1] === '半' ? 0.5 : num(m[1]);
    if (n !== undefined && n <= 24) return { day: n === 0.5 ? { kind: 'relative', days: 15 } : { kind: 'months', months: n }, end: i + m[0].length };
  }
  if ((m = at(AFTER_DAYS_RE, text, i))) {
    const n = num(m[1]);
    if (n !== undefined) return { day: { kind: 'relative', days: n }, end: i + m[0].length };
  }
  if ((m = at(WEEKDAY_RE, text, i))) {
    const weeks = m[1] === undefined ? undefined : WEEK_PREFIX[m[1]];
    if (m[2]) return { day: { kind: 'weekday', weeks, weekday: WEEKDAY[m[2]] as number }, end: i + m[0].length };
    // 下周 / 这周 alone: that week; a bare 周 is no date (周报, 周期).
    if (weeks !== undefined && weeks >= 0) return { day: { kind: 'week', weeks }, end: i + m[0].length };
  }
  if ((m = at(DATE_RE, text, i))) {
    const day = num(m[3]);
    const month = num(m[1]);
    const monthOffset = m[2] ? (m[2].startsWith('下') ? 1 : 0) : undefined;
    if (day && day <= 31 && (monthOffset !== undefined || (month && month <= 12)))
      return {
        day: { kind: 'date', ...(month !== undefined ? { month } : {}), ...(monthOffset !== undefined ? { monthOffset } : {}), day },
        end: i + m[0].length,
      };
  }
  if (!/[\d.月零一二三四五六七八九十]/.test(text[i - 1] ?? '') && (m = at(NUMERIC_DATE_RE, text, i))) {
    const month = Number(m[1]);
    const day = Number(m[2]);
    if (month >= 1 && month <= 12 && day >= 1 && day <= 31) return { day: { kind: 'date', month, day }, end: i + m[0].length };
  }
  if (!/[\d月零一二三四五六七八九十]/.test(text[i - 1] ?? '') && (m = at(DAY_OF_MONTH_RE, text, i))) {
    const day = num(m[1]);
    if (day && day <= 31) return { day: { kind: 'date', day }, end: i + m[0].length };
  }
  return undefined;
}

/** Words before a Chinese number that make 一点 "a little" (快一点, 早一点), not one o'clock. */
const NOT_A_CLOCK = /[快慢早晚多少好差大小高低有再]/;

function readTime(text: string, i: number): { time: NonNullable<WhenPhrase['time']>; end: number } | undefined {
  if (/[\d.]/.test(text[i - 1] ?? '')) return undefined;
  const m = at(TIME_RE, text, i);
  if (!m) return undefined;
  if (!/\d/.test(m[1] as string) && NOT_A_CLOCK.test(text[i - 1] ?? '')) return undefined;
  const hour = num(m[1]);
  if (hour === undefined || hour > 24) return undefined;
  const minute = m[2] !== undefined ? Number(m[2]) : m[3] ? 30 : m[4] === '一刻' ? 15 : m[4] === '三刻' ? 45 : m[5] ? 0 : (num(m[6]) ?? 0);
  if (minute > 59) return undefined;
  // A colon time written 24-hour (15:00) says its half of the day itself.
  return { time: { hour: hour === 24 ? 0 : hour, minute, explicitPart: m[2] !== undefined && hour >= 13 }, end: i + m[0].length };
}

/** The phrase starting at `i`, if one does: a day, then a part of the day, then a time, each optional but one. */
function readAt(text: string, i: number): WhenPhrase | undefined {
  const phrase: WhenPhrase = { index: i, text: '' };
  // `end`: where the last piece read ends; `j`: where the next may start (past spaces and 的).
  let end = i;
  const day = readDay(text, i);
  if (day) {
    phrase.day = day.day;
    if (day.part) phrase.part = day.part;
    end = day.end;
  }
  const part = at(PART_RE, text, gap(text, end));
  if (part) {
    phrase.part = part[0];
    end = part.index + part[0].length;
  }
  const time = readTime(text, gap(text, end));
  if (time) {
    phrase.time = time.time;
    end = time.end;
  }
  if (end === i) return undefined;
  phrase.text = text.slice(i, end);
  return phrase;
}

/** The first date-and-time phrase in `text`, as written (not yet resolved). */
export function findWhen(text: string): WhenPhrase | undefined {
  for (let i = 0; i < text.length; i++) {
    if (!STARTS.test(text[i] as string)) continue;
    const p = readAt(text, i);
    if (p) return p;
  }
  return undefined;
}

/** Parts of the day people name instead of a time, and the hour a meeting in them usually starts. */
export const PART_HOURS: Record<string, number> = { 凌晨: 6, 早上: 9, 早晨: 9, 上午: 10, 中午: 12, 下午: 15, 傍晚: 17, 晚上: 19, 夜里: 21 };

/** The hour of a clock time said with a part of the day (下午3点 is 15:00; 中午1点 is 13:00; 晚上12点 is midnight). */
function hourIn(part: string | undefined, time: { hour: number; explicitPart: boolean }): number {
  const h = time.hour;
  if (time.explicitPart || h >= 13) return h;
  switch (part) {
    case '下午':
    case '傍晚':
    case '晚上':
    case '夜里':
      return h === 12 ? (part === '下午' ? 12 : 0) : h + 12;
    case '中午':
      return h <= 3 ? h + 12 : h;
    case '凌晨':
    case '早上':
    case '早晨':
    case '上午':
      return h === 12 ? (part === '凌晨' ? 0 : 12) : h;
    default:
      // Business hours: a bare 1 to 6 o'clock is the afternoon (两点半 is 14:30).
      return h >= 1 && h <= 6 ? h + 12 : h;
  }
}

/** The day a phrase names, at midnight in the business time zone, relative to the wall clock `wall`. */
function dayOf(day: NonNullable<WhenPhrase['day']>, wall: DateTime): DateTime {
  const today = wall.startOf('day');
  switch (day.kind) {
    case 'relative':
      return today.plus({ days: day.days });
    case 'months':
      return today.plus({ months: day.months });
    case 'weekday': {
      const monday = today.minus({ days: today.weekday - 1 });
      if (day.weeks !== undefined) return monday.plus({ weeks: day.weeks, days: day.weekday - 1 });
      // 周五 alone: the coming one (today's, when it is today).
      const thisWeek = monday.plus({ days: day.weekday - 1 });
      return thisWeek < today ? thisWeek.plus({ weeks: 1 }) : thisWeek;
    }
    case 'week': {
      // 下周 alone: by that week's Friday; this week's once Friday is past is today.
      const friday = today.minus({ days: today.weekday - 1 }).plus({ weeks: day.weeks, days: 4 });
      return friday < today ? today : friday;
    }
    case 'date': {
      const clamp = (m: DateTime) => m.set({ day: Math.min(day.day, m.daysInMonth ?? 28) });
      if (day.monthOffset !== undefined) return clamp(today.startOf('month').plus({ months: day.monthOffset }));
      if (day.month !== undefined) {
        const d = clamp(today.set({ month: day.month, day: 1 }));
        // A date already past this year is next year's (12月 said in December of 1月5日 is January).
        return d < today ? clamp(today.set({ month: day.month, day: 1 }).plus({ years: 1 })) : d;
      }
      const d = clamp(today.startOf('month'));
      return d < today ? clamp(today.startOf('month').plus({ months: 1 })) : d;
    }
  }
}

export interface ResolvedWhen {
  at: number;
  date: string;
  precision: 'time' | 'part' | 'day' | 'week';
}

/**
 * The exact instant a phrase means at `now` in `timeZone`: a clock time at that time; a part of the day at its usual
 * hour; a day alone at 18:00 (the end of that business day); a week alone at its Friday 18:00. A time with no day is
 * today's when still ahead, else tomorrow's; a weekday alone (周五) the coming one; a date of the calendar already past
 * is the next one (12月5日 said on 6 December is next year's). 今天, 这周五 and 昨天 mean what they say, past or not.
 */
export function resolveWhen(p: WhenPhrase, now: number, timeZone: string): ResolvedWhen {
  const wall = DateTime.fromMillis(now, { zone: timeZone });
  const day = p.day ? dayOf(p.day, wall) : wall.startOf('day');
  let precision: ResolvedWhen['precision'] = p.day?.kind === 'week' ? 'week' : 'day';
  let hour = 18;
  let minute = 0;
  if (p.time) {
    hour = hourIn(p.part, p.time);
    minute = p.time.minute;
    precision = 'time';
  } else if (p.part) {
    hour = PART_HOURS[p.part] ?? 18;
    precision = 'part';
  }
  let at = day.set({ hour, minute, second: 0, millisecond: 0 });
  if (!p.day && at <= wall) at = at.plus({ days: 1 });
  // 周五下午 said on Friday evening is next Friday's: a weekday alone means the coming one.
  if (p.day?.kind === 'weekday' && p.day.weeks === undefined && at <= wall) at = at.plus({ weeks: 1 });
  return { at: at.toMillis(), date: at.toISODate() ?? '', precision };
}
