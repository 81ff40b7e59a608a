/**
 * Every date a rep types is read in BUSINESS_TZ, whatever the server's TZ: the parser runs in processes whose TZ is
 * Pacific/Pago_Pago (UTC−11), Pacific/Kiritimati (UTC+14) and UTC, with the business clock at 07:40 and at 23:30
 * Beijing time — the hours at which a server clock in another zone is on another day.
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';

const ZONE = 'Asia/Shanghai';
const PHRASES = ['明天下午3点', '今天下午3点', '下周三', '周四15:00', '3天后', '12月5日', '后天上午10点'];

function parseIn(tz: string, nowIso: string) {
  const out = execFileSync(process.execPath, ['--import', 'tsx', path.join(__dirname, '..', 'helpers', 'dates-child.ts'), nowIso, ZONE, ...PHRASES], {
    env: { ...process.env, TZ: tz },
    encoding: 'utf8',
  });
  return JSON.parse(out) as { phrases: Record<string, string | null>; meeting: string | null; today3pm: string | null; oneTapMeeting: string };
}

// Wednesday 25 November 2026, Beijing time: at 07:40 and at 23:30 every phrase means the same day and hour.
const SAME_DAY = {
  phrases: {
    明天下午3点: '2026-11-26T15:00',
    今天下午3点: '2026-11-25T15:00',
    下周三: '2026-12-02T18:00',
    '周四15:00': '2026-11-26T15:00',
    '3天后': '2026-11-28T18:00',
    '12月5日': '2026-12-05T18:00',
    后天上午10点: '2026-11-27T10:00',
  },
  meeting: '2026-11-26T15:00',
  today3pm: '2026-11-25T15:00',
  oneTapMeeting: '2026-11-26T10:00',
};
const EXPECTED: Record<string, typeof SAME_DAY> = { '2026-11-25T07:40:00': SAME_DAY, '2026-11-25T23:30:00': SAME_DAY };

describe.each(['Pacific/Pago_Pago', 'Pacific/Kiritimati', 'UTC'])('a server in %s', (tz) => {
  test.each(Object.keys(EXPECTED))('business clock %s: every phrase means the same day and hour as in Beijing', (nowIso) => {
    expect(parseIn(tz, nowIso)).toEqual(EXPECTED[nowIso]);
  });
});

test('the one-tap meeting on a Friday goes on Monday, not on Saturday', () => {
  expect(parseIn('Pacific/Pago_Pago', '2026-11-27T16:00:00').oneTapMeeting).toBe('2026-11-30T10:00');
});
