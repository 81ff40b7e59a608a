import type Redis from 'ioredis';
import { messageIdOf, type SendResult, type SentMarks } from '../app/ports';

/** `<p>:{send}:sent:<message id>`, kept a week: what went out, so a re-run of the job sends nothing (SentMarks). */
export class RedisSentMarks implements SentMarks {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  private key(messageKey: string) {
    return `${this.prefix}:{send}:sent:${messageIdOf(messageKey)}`;
  }

  async get(messageKey: string): Promise<Omit<SendResult, 'status'> | undefined> {
    const raw = await this.redis.get(this.key(messageKey));
    return raw ? (JSON.parse(raw) as Omit<SendResult, 'status'>) : undefined;
  }

  async mark(messageKey: string, sent: Omit<SendResult, 'status'>): Promise<void> {
    await this.redis.set(this.key(messageKey), JSON.stringify(sent), 'EX', 7 * 24 * 3600);
  }
}
