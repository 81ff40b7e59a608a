import { createHash } from 'node:crypto';
import type { Logger } from '../log';
import { displayName, type Lead } from '../domain/lead';
import type { GroupRepository, JoinCode, JoinCodeMaker } from './ports';

export interface GroupInviter {
  /** The group's QR join code, made once per group and kept; undefined when WeCom refuses (logged). */
  joinCodeFor(chatId: string): Promise<JoinCode | undefined>;
}

/**
 * The method's move after a group exists: get the customer's other decision makers into it. WeCom has no API to add
 * a customer to a group; what we can do is hand the rep the group's QR join code to pass on. One code per group
 * (add_join_way draws on a quota shared with 「联系我」), kept in Redis; two workers racing keep the first.
 */
export class GroupInvites implements GroupInviter {
  constructor(private readonly d: { store: GroupRepository; maker: JoinCodeMaker; log: Logger }) {}

  async joinCodeFor(chatId: string): Promise<JoinCode | undefined> {
    const kept = await this.d.store.getJoinCode(chatId);
    if (kept) return kept;
    try {
      // `state` comes back on the members who join through this code (groupchat/get); ≤ 30 characters.
      const made = await this.d.maker.createJoinCode(chatId, `wf-${createHash('sha256').update(chatId).digest('hex').slice(0, 20)}`);
      return await this.d.store.saveJoinCode(chatId, made);
    } catch (err) {
      this.d.log.warn({ reason: 'group.join_code_failed', chatId, err: (err as Error).message }, 'no join code for this group');
      return undefined;
    }
  }
}

/** What the rep is told with a group's join code. */
export function inviteText(customer: string, group: string | undefined, qrCode: string): string {
  return (
    `「${group ?? '客户群'}」的入群二维码：${qrCode}\n` +
    `发给${customer}，请他把那边参与决定的人（拍板的、用的、管采购的）扫码拉进来——方案在群里一起定，比你一个人写文档快，决策链也看得见。`
  );
}

/**
 * What 建群 answers, from a card button or the 建群 command: the lead's group's join code when it has a group (to
 * widen the chain), otherwise how to make one — and that the code will follow once WeCom tells us it exists.
 */
export async function groupAdvice(d: { store: GroupRepository; invites: GroupInviter }, lead: Lead): Promise<string> {
  const name = displayName(lead);
  const chatId = lead.groups[0];
  const code = chatId ? await d.invites.joinCodeFor(chatId) : undefined;
  if (chatId && code) return inviteText(name, (await d.store.getGroup(chatId))?.name, code.qrCode);
  return [
    `给${name}拉个工作群：`,
    `1. 在企业微信里「发起群聊」，选上${name}和你的同事（技术、经理）。`,
    '2. 群名写上客户公司和项目，例如「某某学校·项目沟通群」。',
    `群建好后我会自动记到这个客户名下，并把入群二维码发给你，让${name}把他那边参与决定的人拉进来。`,
  ].join('\n');
}
