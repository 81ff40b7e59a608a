import type { RedisClient } from './redis';
import { pipeline } from './pipeline';
import type { Activity, ActivityCounter } from '../app/ports';

/**
 * Activity counters in one Redis hash, `<p>:stats`, field `<event>` or `<event>:<kind>`: monotonic across restarts and
 * shared by every worker, read by the web process's /metrics.
 */
export class ActivityStore implements ActivityCounter {
  constructor(
    private readonly redis: RedisClient,
    private readonly prefix: string,
  ) {}

  private get key() {
    return `${this.prefix}:stats`;
  }

  async count(...activities: Activity[]): Promise<void> {
    const todo = activities.filter((a) => (a.n ?? 1) > 0);
    if (todo.length === 0) return;
    const p = pipeline(this.redis);
    for (const a of todo) p.hincrby(this.key, a.kind ? `${a.event}:${a.kind}` : a.event, a.n ?? 1);
    await p.exec().catch(() => undefined);
  }

  /** Every counter: event, kind (or ''), value. */
  async all(): Promise<{ event: string; kind: string; value: number }[]> {
    const raw = await this.redis.hgetall(this.key);
    return Object.entries(raw).map(([field, v]) => {
      const i = field.indexOf(':');
      return { event: i < 0 ? field : field.slice(0, i), kind: i < 0 ? '' : field.slice(i + 1), value: Number(v) };
    });
  }
}
