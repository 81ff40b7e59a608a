/**
 * Two events of one customer group handled at the same moment (two inbox workers) both land: the group record is
 * written by compare-and-set, so neither overwrites the other's timeline entry, and the lead gets both.
 */
import { VECTOR_A, waitFor } from '../helpers/config';
import { REP, startLedgerBot } from '../helpers/ledger-harness';

let bot: Awaited<ReturnType<typeof startLedgerBot>>;
const T0 = Math.floor(Date.now() / 1000) - 3600;
const GROUPS = 20;

beforeAll(async () => {
  bot = await startLedgerBot('group-race');
  bot.sandbox.addUser({ userid: REP, name: '张三' });
  for (let i = 0; i < GROUPS; i++) {
    const customer = `woRACE${String(i).padStart(8, '0')}`;
    bot.sandbox.addContact({ external_userid: customer, name: `客户${i}`, type: 1 }, [{ userid: REP }]);
    bot.sandbox.setGroup({
      chat_id: `wrRACE${i}`,
      name: `群${i}`,
      owner: REP,
      create_time: T0,
      member_list: [
        { userid: REP, type: 1, join_time: T0, join_scene: 1 },
        { userid: customer, type: 2, join_time: T0, join_scene: 1 },
        { userid: `wmRACEB${String(i).padStart(8, '0')}`, type: 2, join_time: T0 + 60, join_scene: 3 },
      ],
    });
    await bot.send({
      kind: 'external_contact',
      corpId: VECTOR_A.corpId,
      createTime: T0,
      changeType: 'add_external_contact',
      userId: REP,
      externalUserId: customer,
    });
  }
  await waitFor(async () => (await bot.leads()).total === GROUPS, { timeoutMs: 10_000 });
});
afterAll(async () => {
  await bot.close();
});

test('add_member and create of the same group at once (the join handled first), twenty times: every group and lead keeps both entries', async () => {
  const ledger = bot.bot.worker?.ledger;
  if (!ledger) throw new Error('no worker');
  await Promise.all(
    Array.from({ length: GROUPS }, (_, i) =>
      Promise.all([
        ledger.groupEvent(
          {
            kind: 'external_chat',
            corpId: VECTOR_A.corpId,
            createTime: T0 + 60,
            chatId: `wrRACE${i}`,
            changeType: 'update',
            updateDetail: 'add_member',
            joinScene: 3,
            memChangeCnt: 1,
            memChangeList: [`wmRACEB${String(i).padStart(8, '0')}`],
          },
          `race-join-${i}`,
        ),
        ledger.groupEvent({ kind: 'external_chat', corpId: VECTOR_A.corpId, createTime: T0, chatId: `wrRACE${i}`, changeType: 'create' }, `race-create-${i}`),
      ]),
    ),
  );
  const missing: string[] = [];
  for (let i = 0; i < GROUPS; i++) {
    const group = await bot.bot.worker!.store.getGroup(`wrRACE${i}`);
    const lead = await bot.lead(`woRACE${String(i).padStart(8, '0')}`);
    if (!group?.events.some((e) => e.id === `joined:race-join-${i}`)) missing.push(`group ${i}`);
    if (!lead?.timeline.some((e) => e.id === `joined:race-join-${i}`)) missing.push(`lead ${i}`);
  }
  expect(missing).toEqual([]);
});
