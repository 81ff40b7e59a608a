/**
 * The fake WeCom for bench:ingress's `start` mode, in a process of its own: the sandbox, knowing every customer group
 * the flood's callbacks name (bench/flood.ts), so the workers do the whole job for each callback — read the group,
 * record it, ask for its join code — and the API answers as WeCom would.
 */
import { WeComSandbox } from '../../tools/sandbox/wecom-sandbox';
import { serveBenchIpc } from '../lib';
import { chatIdOf, memberIdOf, FLOOD_REP } from '../flood';
import { BENCH_ENV, BENCH_SECRETS } from './secrets';

async function main() {
  const sandbox = new WeComSandbox({
    corpId: BENCH_SECRETS.corpId,
    secret: BENCH_ENV.WECOM_SECRET,
    agentId: Number(BENCH_ENV.WECOM_AGENT_ID),
    perMemberPerMinute: 1_000_000,
    perMemberPerHour: 1_000_000,
  });
  sandbox.addUser({ userid: FLOOD_REP, name: '压测' });
  const groups = Number(process.env.BENCH_GROUPS ?? 0);
  for (let i = 0; i < groups; i++) {
    sandbox.setGroup({
      chat_id: chatIdOf(i),
      name: `群${i}`,
      owner: FLOOD_REP,
      member_list: [
        { userid: FLOOD_REP, type: 1, join_time: 1_700_000_000, join_scene: 1 },
        { userid: memberIdOf(i), type: 2, join_time: 1_700_000_000 + i, join_scene: 3 },
      ],
    });
  }
  const url = await sandbox.listen();
  process.send?.({ port: Number(new URL(url).port) });
  serveBenchIpc(() => sandbox.close());
}
void main();
