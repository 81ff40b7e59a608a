/**
 * Every date a rep types is read in BUSINESS_TZ, whatever the server's TZ: the parser runs in processes whose TZ is
 * Pacific/Pago_Pago (UTC−11), Pacific/Kiritimati (UTC+14) and UTC, with the business clock at 07:40 and at 23:30
 * Beijing time — the hours at which a server clock in another zone is on another day.
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';

const ZONE = 'Asia/Shanghai';
const PHRASES = [
  '明天下午3点',
  '今天下午3点',
  '下周三',
  '周四15:00',
  '3天后',
  '12月5日',
  '后天上午10点',
  // what chrono does not read by itself, spelt out for it
  '后天',
  '大后天下午',
  '28号',
  '下个月5号',
  '十二月二十三号',
  '下周',
  // a part of the day without a time; a bare 1–6 o'clock is afternoon
  '明天下午',
  '明天上午',
  '今晚',
  '两点半',
];

function parseIn(tz: string, nowIso: string) {
  const out = execFileSync(process.execPath, ['--import', 'tsx', path.join(__dirname, '..', 'helpers', 'dates-child.ts'), nowIso, ZONE, ...PHRASES], {
    env: { ...process.env, TZ: tz },
    encoding: 'utf8',
  });
  return JSON.parse(out) as {
    phrases: Record<string, string | null>;
    meetings: Record<string, string | null>;
    meeting: string | null;
    today3pm: string | null;
    oneTapMeeting: string;
  };
}

// Wednesday 25 November 2026, Beijing time: at 07:40 and at 23:30 every phrase means the same day and hour, except a
// bare 两点半, which is today's 14:30 in the morning and tomorrow's late at night.
const phrasesAt = (twoThirty: string) => ({
  明天下午3点: '2026-11-26T15:00',
  今天下午3点: '2026-11-25T15:00',
  下周三: '2026-12-02T18:00',
  '周四15:00': '2026-11-26T15:00',
  '3天后': '2026-11-28T18:00',
  '12月5日': '2026-12-05T18:00',
  后天上午10点: '2026-11-27T10:00',
  后天: '2026-11-27T18:00',
  大后天下午: '2026-11-28T15:00',
  '28号': '2026-11-28T18:00',
  下个月5号: '2026-12-05T18:00',
  十二月二十三号: '2026-12-23T18:00',
  下周: '2026-12-04T18:00',
  明天下午: '2026-11-26T15:00',
  明天上午: '2026-11-26T10:00',
  今晚: '2026-11-25T19:00',
  两点半: twoThirty,
});
/** Where 「会议 王总 …」 books: a day alone at 10:00, a part of the day at its hour, a week alone is asked about. */
const meetingsAt = (twoThirty: string, today3pm: string | null, tonight: string | null) => ({
  明天下午3点: '2026-11-26T15:00',
  今天下午3点: today3pm,
  下周三: '2026-12-02T10:00',
  '周四15:00': '2026-11-26T15:00',
  '3天后': '2026-11-28T10:00',
  '12月5日': '2026-12-05T10:00',
  后天上午10点: '2026-11-27T10:00',
  后天: '2026-11-27T10:00',
  大后天下午: '2026-11-28T15:00',
  '28号': '2026-11-28T10:00',
  下个月5号: '2026-12-05T10:00',
  十二月二十三号: '2026-12-23T10:00',
  下周: null,
  明天下午: '2026-11-26T15:00',
  明天上午: '2026-11-26T10:00',
  今晚: tonight,
  两点半: twoThirty,
});
const common = { meeting: '2026-11-26T15:00', today3pm: '2026-11-25T15:00', oneTapMeeting: '2026-11-26T10:00' };
const EXPECTED: Record<string, unknown> = {
  '2026-11-25T07:40:00': {
    ...common,
    phrases: phrasesAt('2026-11-25T14:30'),
    meetings: meetingsAt('2026-11-25T14:30', '2026-11-25T15:00', '2026-11-25T19:00'),
  },
  // At 23:30, 今天下午3点 and 今晚 are past: 「会议」 logs them as held (the time is still read as said).
  '2026-11-25T23:30:00': {
    ...common,
    phrases: phrasesAt('2026-11-26T14:30'),
    meetings: meetingsAt('2026-11-26T14:30', '2026-11-25T15:00', '2026-11-25T19:00'),
  },
};

describe.each(['Pacific/Pago_Pago', 'Pacific/Kiritimati', 'UTC'])('a server in %s', (tz) => {
  test.each(Object.keys(EXPECTED))('business clock %s: every phrase means the same day and hour as in Beijing', (nowIso) => {
    expect(parseIn(tz, nowIso)).toEqual(EXPECTED[nowIso]);
  });
});

test('the one-tap meeting on a Friday goes on Monday, not on Saturday', () => {
  expect(parseIn('Pacific/Pago_Pago', '2026-11-27T16:00:00').oneTapMeeting).toBe('2026-11-30T10:00');
});
