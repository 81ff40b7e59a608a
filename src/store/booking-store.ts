import type { RedisClient } from './redis';
import type { BookedMeeting, BookingStore, WatchedMeeting } from '../app/ports';

/** Longer than any retry of the event that booked (the inbox's dedupe window is 72 h). */
const TTL_SECONDS = 7 * 24 * 3600;

/**
 * `<p>:booking:{<key>}`: "pending" once claimed, then the booked meeting as JSON. `<p>:meetings:watch`: booked
 * meetings whose attendance is to be read, scored by when (a sorted set; the member is the watch as JSON).
 */
export class RedisBookingStore implements BookingStore {
  constructor(
    private readonly redis: RedisClient,
    private readonly prefix: string,
  ) {}

  private key(k: string) {
    return `${this.prefix}:booking:{${k}}`;
  }

  async claim(key: string): Promise<{ state: 'new' | 'pending' } | { state: 'booked'; booking: BookedMeeting }> {
    const k = this.key(key);
    const [[, set], [, raw]] = (await this.redis.multi().set(k, 'pending', 'EX', TTL_SECONDS, 'NX').get(k).exec()) as [
      [unknown, string | null],
      [unknown, string | null],
    ];
    if (set === 'OK') return { state: 'new' };
    if (!raw || raw === 'pending') return { state: 'pending' };
    return { state: 'booked', booking: JSON.parse(raw) as BookedMeeting };
  }

  async save(key: string, booking: BookedMeeting): Promise<void> {
    await this.redis.set(this.key(key), JSON.stringify(booking), 'EX', TTL_SECONDS);
  }

  private get watchKey() {
    return `${this.prefix}:meetings:watch`;
  }

  private static member(m: WatchedMeeting): string {
    return JSON.stringify([m.leadId, m.entryId, m.meetingId]);
  }

  async watch(m: WatchedMeeting, dueAt: number): Promise<void> {
    await this.redis.zadd(this.watchKey, dueAt, RedisBookingStore.member(m));
  }

  async dueWatches(now: number, limit: number): Promise<WatchedMeeting[]> {
    const raw = await this.redis.zrangebyscore(this.watchKey, '-inf', now, 'LIMIT', 0, limit);
    return raw.flatMap((r) => {
      const v = JSON.parse(r) as unknown;
      if (!Array.isArray(v) || v.length !== 3 || !v.every((x) => typeof x === 'string')) return [];
      const [leadId, entryId, meetingId] = v as [string, string, string];
      return [{ leadId, entryId, meetingId }];
    });
  }

  async unwatch(m: WatchedMeeting): Promise<void> {
    await this.redis.zrem(this.watchKey, RedisBookingStore.member(m));
  }
}
