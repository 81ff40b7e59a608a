import type { RedisClient } from '../redis';
import type { DueSchedule } from '../../app/ports';
import type { LedgerKeys } from './keys';

/** The sweep's schedule: one sorted set of lead ids by next check time (DueSchedule over Redis). */
export class DueScheduleStore implements DueSchedule {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: LedgerKeys,
  ) {}

  async setDue(leadId: string, at: number): Promise<void> {
    if (Number.isFinite(at)) await this.redis.zadd(this.keys.idx('due'), at, leadId);
    else await this.redis.zrem(this.keys.idx('due'), leadId);
  }

  async dueLeads(now: number, limit: number): Promise<string[]> {
    return this.redis.zrangebyscore(this.keys.idx('due'), '-inf', now, 'LIMIT', 0, limit);
  }
}
