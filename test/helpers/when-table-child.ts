/** Reads a table of date phrases in a process whose TZ the test chose (test/unit/date-table.test.ts); prints JSON. */
import { DateTime } from 'luxon';
import { parseWhen } from '../../src/domain/chinese-dates';

const [zone, moments, phrases] = process.argv.slice(2) as [string, string, string];
const nows = (JSON.parse(moments) as string[]).map((m) => DateTime.fromISO(m, { zone }).toMillis());
process.stdout.write(JSON.stringify((JSON.parse(phrases) as string[]).map((p) => nows.map((now) => parseWhen(p, now, zone)?.at ?? null))));
