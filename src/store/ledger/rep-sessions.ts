import type { RedisClient } from '../redis';
import type { RepSessions } from '../../app/ports';
import type { LedgerKeys } from './keys';

/** The last list shown to each rep, for a week (RepSessions over Redis). */
export class RepSessionStore implements RepSessions {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: LedgerKeys,
  ) {}

  async setLastList(rep: string, ids: string[]): Promise<void> {
    const key = this.keys.lastList(rep);
    const p = this.redis.multi().del(key);
    if (ids.length) p.rpush(key, ...ids);
    await p.expire(key, 7 * 86400).exec();
  }

  async lastList(rep: string): Promise<string[]> {
    return this.redis.lrange(this.keys.lastList(rep), 0, -1);
  }

  async setPending(rep: string, command: string): Promise<void> {
    await this.redis.set(`${this.keys.lastList(rep)}:pending`, command, 'EX', 600);
  }

  async takePending(rep: string): Promise<string | undefined> {
    return (await this.redis.getdel(`${this.keys.lastList(rep)}:pending`)) ?? undefined;
  }
}
