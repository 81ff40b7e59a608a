/** Parses date phrases in a process whose TZ the test chose (test/unit/business-dates.test.ts); prints JSON. */
import { DateTime } from 'luxon';
import { meetingStart, nextBusinessMorning, parseWhen } from '../../src/domain/chinese-dates';
import { parseCommand } from '../../src/domain/commands';

const [nowIso, zone, ...phrases] = process.argv.slice(2) as [string, string, ...string[]];
const now = DateTime.fromISO(nowIso, { zone }).toMillis();
const show = (ms: number | undefined) => (ms === undefined ? null : DateTime.fromMillis(ms, { zone }).toFormat("yyyy-MM-dd'T'HH:mm"));
const out = {
  phrases: Object.fromEntries(phrases.map((p) => [p, show(parseWhen(p, now, zone)?.at)])),
  /** When 「会议 王总 <phrase>」 books the meeting (null: the bot asks for the time). */
  meetings: Object.fromEntries(
    phrases.map((p) => {
      const c = parseCommand(`会议 王总 ${p}`, now, zone);
      return [p, c.cmd === 'meeting' && c.when ? show(meetingStart(c.when, now, zone)) : null];
    }),
  ),
  meeting: (() => {
    const c = parseCommand('会议 王总 明天下午3点', now, zone);
    return c.cmd === 'meeting' ? show(c.when?.at) : null;
  })(),
  today3pm: (() => {
    const c = parseCommand('会议 陈经理 今天下午3点', now, zone);
    return c.cmd === 'meeting' ? show(c.when?.at) : null;
  })(),
  oneTapMeeting: show(nextBusinessMorning(now, zone, [1, 2, 3, 4, 5])),
};
process.stdout.write(JSON.stringify(out));
