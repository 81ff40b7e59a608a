import type { RedisClient } from '../redis';
import { defineScript, pipeline } from '../pipeline';
import type { GroupRecord, GroupRepository, JoinCode } from '../../app/ports';
import { CAS_SCRIPT } from './cas';
import type { LedgerKeys } from './keys';

/** Customer groups, their join codes, and each customer's groups (GroupRepository over Redis). */
export class GroupStore implements GroupRepository {
  private readonly redis: RedisClient & { ledgerCas(key: string, expected: string, next: string): Promise<number> };

  constructor(
    redis: RedisClient,
    private readonly keys: LedgerKeys,
  ) {
    defineScript(redis, 'ledgerCas', CAS_SCRIPT, 1);
    this.redis = redis as GroupStore['redis'];
  }

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
      if (next === raw || (await this.redis.ledgerCas(key, raw, next)) === 1) return { before, after };
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
    const p = pipeline(this.redis);
    for (const c of before) if (!after.includes(c)) p.srem(this.keys.customerGroups(c), chatId);
    for (const c of after) p.sadd(this.keys.customerGroups(c), chatId);
    await p.exec();
  }

  async groupsOfCustomer(externalUserId: string): Promise<string[]> {
    return this.redis.smembers(this.keys.customerGroups(externalUserId));
  }
}
