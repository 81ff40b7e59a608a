import { createHash } from 'node:crypto';
import type { Logger } from '../log';
import type { GroupInviter, GroupRepository, JoinCode, JoinCodeMaker } from './ports';

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
