/** The callbacks bench:ingress floods the webhook with: distinct, signed, encrypted group changes (a customer joins). */
import { CallbackDriver } from '../tools/sandbox/callback-driver';
import { encodeAppEvent } from '../tools/sandbox/event-xml';
import type { PreparedRequest } from './lib';
import { BENCH_SECRETS } from './servers/secrets';

/** The rep who owns every group of the flood. */
export const FLOOD_REP = 'benchrep';
export const chatIdOf = (i: number) => `wrOgQhDgAAMYQiS5ol9G7gK9J${String(i).padStart(7, '0')}`;
export const memberIdOf = (i: number) => `wmOgQhDgAAuXFJGwbve4g4iXkn${String(i).padStart(6, '0')}`;

export function prepareFlood(n: number): PreparedRequest[] {
  const driver = new CallbackDriver('http://unused', BENCH_SECRETS);
  const out: PreparedRequest[] = [];
  for (let i = 0; i < n; i++) {
    const xml = encodeAppEvent(
      {
        kind: 'external_chat',
        corpId: BENCH_SECRETS.corpId,
        createTime: 1_700_000_000 + i,
        chatId: chatIdOf(i),
        changeType: 'update',
        updateDetail: 'add_member',
        joinScene: 3,
        memChangeCnt: 1,
        memChangeList: [memberIdOf(i)],
        lastMemVer: '9c3f97c2ada667dfb5f6d03308d963e1',
        curMemVer: '71217227bbd112ecfe3a49c482195cb4',
      },
      BENCH_SECRETS.corpId,
    );
    const req = driver.appRequest(xml);
    out.push({ path: `${req.path}?${new URLSearchParams(req.query).toString()}`, body: req.body });
  }
  return out;
}
