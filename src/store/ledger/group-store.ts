import type { RedisClient } from '../redis';
import { defineScript, pipeline } from '../pipeline';
import type { GroupRecord, GroupRepository, JoinCode } from '../../app/ports';
import { CAS_SCRIPT, LastSeen } from './cas';
import type { LedgerKeys } from './keys';

/** Customer groups, their join codes, and each customer's groups (GroupRepository over Redis). */
export class GroupStore implements GroupRepository {
  private readonly redis: RedisClient & { ledgerCas(key: string, expected: string, next: string): Promise<[1] | [0, string]> };
  private readonly seen = new LastSeen();

  constructor(
    redis: RedisClient,
    private readonly keys: LedgerKeys,
  ) {
    defineScript(redis, 'ledgerCas', CAS_SCRIPT, 1);
    this.redis = redis as GroupStore['redis'];
  }

  async getGroup(chatId: string): Promise<GroupRecord | undefined> {
    const key = this.keys.group(chatId);
    const raw = (await this.redis.get(key)) ?? '';
    this.seen.set(key, raw);
    return raw ? (JSON.parse(raw) as GroupRecord) : undefined;
  }

  async saveGroup(g: GroupRecord): Promise<void> {
    const raw = JSON.stringify(g);
    await this.redis.set(this.keys.group(g.chatId), raw);
    this.seen.set(this.keys.group(g.chatId), raw);
  }

  /**
   * Read, change, write as one optimistic compare-and-set: the change is applied to the value this process last saw
   * (absent if none) and the script checks it is still current; when it is not, the script answers what is, and the
   * change is applied again to that. One round trip in the common case, two when another process got there first.
   */
  async updateGroup(
    chatId: string,
    change: (current: GroupRecord | undefined) => GroupRecord | undefined,
  ): Promise<{ before?: GroupRecord; after?: GroupRecord }> {
    const key = this.keys.group(chatId);
    let raw = this.seen.get(key);
    for (let attempt = 0; attempt < 50; attempt++) {
      const before = raw ? (JSON.parse(raw) as GroupRecord) : undefined;
      const after = change(raw ? (JSON.parse(raw) as GroupRecord) : undefined);
      const next = after ? JSON.stringify(after) : '';
      const res = await this.redis.ledgerCas(key, raw, next === raw ? '' : next);
      if (res[0] === 0) {
        raw = res[1];
        continue;
      }
      this.seen.set(key, next || raw);
      return { before, after: after ?? before };
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

  async setGroupCustomers(
    chatId: string,
    before: string[],
    after: string[],
    leads: string[],
  ): Promise<{ groupsOf: Map<string, string[]>; group?: GroupRecord }> {
    const read = [...new Set(leads)];
    const key = this.keys.group(chatId);
    const p = pipeline(this.redis);
    for (const c of before) if (!after.includes(c)) p.srem(this.keys.customerGroups(c), chatId);
    for (const c of after) p.sadd(this.keys.customerGroups(c), chatId);
    for (const c of read) p.smembers(this.keys.customerGroups(c));
    p.get(key);
    const res = (await p.exec()) ?? [];
    for (const [err] of res) if (err) throw err;
    const lists = res.slice(res.length - read.length - 1, -1);
    const raw = (res[res.length - 1]?.[1] as string | null) ?? '';
    this.seen.set(key, raw);
    return {
      groupsOf: new Map(read.map((c, i) => [c, (lists[i]?.[1] as string[] | null) ?? []])),
      group: raw ? (JSON.parse(raw) as GroupRecord) : undefined,
    };
  }

  async groupsOfCustomer(externalUserId: string): Promise<string[]> {
    return this.redis.smembers(this.keys.customerGroups(externalUserId));
  }
}
