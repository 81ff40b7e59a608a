import { DateTime } from 'luxon';

/**
 * Dates as people read them in a message, a card or the board: the day with its weekday — 「12月4日（周五）」 — and the
 * time after it — 「12月4日（周五）15:00」 — in the business time zone; the year only when it is not this one's.
 * Never an ISO date or a week id. Pure.
 */
const WEEKDAYS = ['一', '二', '三', '四', '五', '六', '日'];

function day(d: DateTime, now?: DateTime): string {
  const year = now && d.year !== now.year ? `${d.year}年` : '';
  return `${year}${d.month}月${d.day}日（周${WEEKDAYS[d.weekday - 1]}）`;
}

/** An instant: 「12月4日（周五）15:00」. `now` (ms) adds the year when it differs. */
export function shownInstant(ms: number, timeZone: string, now?: number): string {
  const d = DateTime.fromMillis(ms, { zone: timeZone });
  return `${day(d, now === undefined ? undefined : DateTime.fromMillis(now, { zone: timeZone }))}${d.toFormat('HH:mm')}`;
}

/** The day of an instant: 「12月4日（周五）」. */
export function shownDayOf(ms: number, timeZone: string, now?: number): string {
  return day(DateTime.fromMillis(ms, { zone: timeZone }), now === undefined ? undefined : DateTime.fromMillis(now, { zone: timeZone }));
}

/** A calendar date (yyyy-mm-dd, as a decision date is kept): 「12月11日（周五）」; as written when it is not a date. */
export function shownDate(isoDate: string, now?: { ms: number; timeZone: string }): string {
  const d = DateTime.fromISO(isoDate, { zone: 'UTC' });
  if (!d.isValid) return isoDate;
  return day(d, now ? DateTime.fromMillis(now.ms, { zone: now.timeZone }) : undefined);
}

/** A week by its dates: 「11/30–12/6」. */
export function shownWeek(mondayIso: string): string {
  const m = DateTime.fromISO(mondayIso, { zone: 'UTC' });
  const s = m.plus({ days: 6 });
  return `${m.month}/${m.day}–${s.month}/${s.day}`;
}
