import type Redis from 'ioredis';
import type { BookedMeeting, BookingStore } from '../app/ports';

/** Longer than any retry of the event that booked (the inbox's dedupe window is 72 h). */
const TTL_SECONDS = 7 * 24 * 3600;

/** `<p>:booking:{<key>}`: "pending" once claimed, then the booked meeting as JSON. */
export class RedisBookingStore implements BookingStore {
  constructor(
    private readonly redis: Redis,
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
}
