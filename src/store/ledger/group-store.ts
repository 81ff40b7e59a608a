import type Redis from 'ioredis';
import type { GroupRecord, GroupRepository, JoinCode } from '../../app/ports';
import type { LedgerKeys } from './keys';

/** Compare-and-set: write the new group only if it is still what we read. */
const CAS = `
if (redis.call('GET', KEYS[1]) or '') == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[2])
  return 1
end
return 0`;

/** Customer groups, their join codes, and each customer's groups (GroupRepository over Redis). */
export class GroupStore implements GroupRepository {
  constructor(
    private readonly redis: Redis,
    private readonly keys: LedgerKeys,
  ) {}

  async getGroup(chatId: string): Promise<GroupRecord | undefined> {
    const raw = await this.redis.get(this.keys.group(chatId));
    return raw ? (JSON.parse(raw) as GroupRecord) : undefined;
  }

  async saveGroup(g: GroupRecord): Promise<void> {
    await this.redis.set(this.keys.group(g.chatId), JSON.stringify(g));
  }

  async updateGroup(
    chatId: string,
    change: (current: GroupRecord | undefined) => GroupRecord | undefined,
  ): Promise<{ before?: GroupRecord; after?: GroupRecord }> {
    const key = this.keys.group(chatId);
    for (let attempt = 0; attempt < 50; attempt++) {
      const raw = (await this.redis.get(key)) ?? '';
      const before = raw ? (JSON.parse(raw) as GroupRecord) : undefined;
      const after = change(raw ? (JSON.parse(raw) as GroupRecord) : undefined);
      if (!after) return { before, after: before };
      const next = JSON.stringify(after);
      if (next === raw || (await this.redis.eval(CAS, 1, key, raw, next)) === 1) return { before, after };
    }
    throw new Error(`group ${chatId}: too much contention`);
  }

  async getJoinCode(chatId: string): Promise<JoinCode | undefined> {
    const raw = await this.redis.get(this.keys.joinCode(chatId));
    return raw ? (JSON.parse(raw) as JoinCode) : undefined;
  }

  async saveJoinCode(chatId: string, code: JoinCode): Promise<JoinCode> {
    const key = this.keys.joinCode(chatId);
    const [[, set], [, raw]] = (await this.redis.multi().set(key, JSON.stringify(code), 'NX').get(key).exec()) as [[unknown, string | null], [unknown, string]];
    return set === 'OK' ? code : (JSON.parse(raw) as JoinCode);
  }

  async setGroupCustomers(chatId: string, before: string[], after: string[]): Promise<void> {
    const p = this.redis.pipeline();
    for (const c of before) if (!after.includes(c)) p.srem(this.keys.customerGroups(c), chatId);
    for (const c of after) p.sadd(this.keys.customerGroups(c), chatId);
    await p.exec();
  }

  async groupsOfCustomer(externalUserId: string): Promise<string[]> {
    return this.redis.smembers(this.keys.customerGroups(externalUserId));
  }
}
