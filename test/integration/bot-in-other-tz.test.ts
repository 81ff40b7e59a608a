/**
 * The whole bot — `npm start`'s web and worker processes — on a server whose TZ is not BUSINESS_TZ:
 * Pacific/Pago_Pago (UTC−11) and Pacific/Kiritimati (UTC+14), where the server's calendar day differs from Beijing's
 * at 07:40 and at 23:30 Beijing time. A rep's 「会议 … 明天下午3点」 and 「今天下午3点」, sent at those hours, book the
 * meeting WeCom receives on the Beijing day and hour they mean.
 */
import type { ChildProcess } from 'node:child_process';
import { DateTime } from 'luxon';
import { CallbackDriver } from '../../tools/sandbox/callback-driver';
import { cleanupRedis, testEnv, uniquePrefix, VECTOR_A, waitFor } from '../helpers/config';
import { startSandbox } from '../helpers/sandbox';
import { spawnBot } from '../helpers/bot-process';

const ZONE = 'Asia/Shanghai';
const REP = 'zhangsan';
const CUSTOMERS = [
  { id: 'woTZWANG00000001', remark: '王总' },
  { id: 'woTZCHEN00000002', remark: '陈经理' },
  { id: 'woTZLIU000000003', remark: '刘总' },
];

/** Tomorrow (Beijing) at hh:mm, Beijing time, in seconds: in the future, so WeCom accepts the meetings it leads to. */
const tomorrowAt = (hour: number, minute: number) => DateTime.now().setZone(ZONE).plus({ days: 1 }).set({ hour, minute, second: 0, millisecond: 0 });

describe.each(['Pacific/Pago_Pago', 'Pacific/Kiritimati'])('the bot on a server in %s', (tz) => {
  const prefix = uniquePrefix(`other-tz-${tz.split('/')[1]}`);
  let sb: Awaited<ReturnType<typeof startSandbox>>;
  let proc: ChildProcess;
  let driver: CallbackDriver;
  let lines: Record<string, unknown>[];

  beforeAll(async () => {
    sb = await startSandbox({ corpId: VECTOR_A.corpId, secret: 'test-secret', agentId: 218 });
    sb.sandbox.addUser({ userid: REP, name: '张三' });
    for (const c of CUSTOMERS) sb.sandbox.addContact({ external_userid: c.id, name: c.remark, type: 1 }, [{ userid: REP, remark: c.remark }]);
    ({ proc, lines } = spawnBot({
      ...process.env,
      TZ: tz,
      ...testEnv(prefix, { WECOM_API_BASE: sb.url, LOG_LEVEL: 'info', WEB_PROCESSES: '1', WORKER_PROCESSES: '1', BUSINESS_TZ: ZONE }),
    }));
    await waitFor(() => lines.some((l) => l.reason === 'web.started') && lines.some((l) => l.reason === 'worker.started'), { timeoutMs: 30_000 });
    const port = lines.find((l) => l.reason === 'web.started')?.port as number;
    driver = new CallbackDriver(`http://127.0.0.1:${port}`, { ...VECTOR_A });
  }, 40_000);

  afterAll(async () => {
    if (proc.exitCode === null) {
      const exited = new Promise((r) => proc.once('exit', r));
      proc.kill('SIGTERM');
      await exited;
    }
    await sb.sandbox.close();
    await cleanupRedis(prefix);
  });

  test('meetings typed at 07:40 and at 23:30 Beijing time are booked on the Beijing day and hour they name', async () => {
    const now = Math.floor(Date.now() / 1000);
    for (const c of CUSTOMERS)
      expect(
        (
          await driver.send({
            kind: 'external_contact',
            corpId: VECTOR_A.corpId,
            createTime: now,
            changeType: 'add_external_contact',
            userId: REP,
            externalUserId: c.id,
          })
        ).status,
      ).toBe(200);
    await waitFor(() => lines.filter((l) => l.reason === 'ledger.contact').length === CUSTOMERS.length, { timeoutMs: 15_000 });

    const morning = tomorrowAt(7, 40);
    const lateNight = tomorrowAt(23, 30);
    const says: [string, DateTime, string][] = [
      ['9700000000000000001', morning, '会议 王总 明天下午3点'],
      ['9700000000000000002', morning, '会议 陈经理 今天下午3点'],
      ['9700000000000000003', lateNight, '会议 刘总 明天下午3点'],
    ];
    for (const [msgId, at, content] of says)
      expect(
        (await driver.send({ kind: 'app_text', corpId: VECTOR_A.corpId, createTime: at.toSeconds(), msgId, fromUser: REP, content, agentId: '218' })).status,
      ).toBe(200);
    await waitFor(() => sb.sandbox.meetings.length === 3, { timeoutMs: 15_000 });

    const startOf = (name: string) => {
      const m = sb.sandbox.meetings.find((x) => x.title.includes(name));
      return m && DateTime.fromSeconds(m.meeting_start, { zone: ZONE }).toFormat("yyyy-MM-dd'T'HH:mm");
    };
    const fmt = (d: DateTime) => d.toFormat("yyyy-MM-dd'T'HH:mm");
    expect({ 王总: startOf('王总'), 陈经理: startOf('陈经理'), 刘总: startOf('刘总') }).toEqual({
      王总: fmt(morning.plus({ days: 1 }).set({ hour: 15, minute: 0 })),
      陈经理: fmt(morning.set({ hour: 15, minute: 0 })),
      刘总: fmt(lateNight.plus({ days: 1 }).set({ hour: 15, minute: 0 })),
    });
    // The rep is told the same day and hour, with its weekday (M月d日（周X）HH:mm, Beijing time).
    await waitFor(() => sb.sandbox.inbox(REP).filter((m) => m.body.msgtype === 'text' && m.body.text.content.startsWith('已约好')).length === 3, {
      timeoutMs: 15_000,
    });
    const told = sb.sandbox.inbox(REP).flatMap((m) => (m.body.msgtype === 'text' && m.body.text.content.startsWith('已约好') ? [m.body.text.content] : []));
    expect(told).toContain(
      `已约好：${morning.toFormat('M月d日')}（周${'一二三四五六日'[morning.weekday - 1]}）15:00 与陈经理的会议。\n会议链接：${sb.sandbox.meetings.find((x) => x.title.includes('陈经理'))?.meeting_link}\n把链接发给陈经理，请他把需要拍板的人一起叫上。`,
    );
  }, 60_000);
});
