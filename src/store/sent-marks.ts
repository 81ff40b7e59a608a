import type { RedisClient } from './redis';
import { messageIdOf, type SendResult, type SentMarks } from '../app/ports';

/** `<p>:{send}:sent:<message id>`, kept a week: what went out, so a re-run of the job sends nothing (SentMarks). */
export class RedisSentMarks implements SentMarks {
  constructor(
    private readonly redis: RedisClient,
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

  /** `<p>:{send}:try:<message id>` while an attempt is at WeCom; SET GET tells whether one was left by an earlier attempt. */
  async beginAttempt(messageKey: string, windowSeconds: number): Promise<boolean> {
    const previous = await this.redis.set(this.tryKey(messageKey), '1', 'EX', windowSeconds, 'GET');
    return previous !== null;
  }

  async endAttempt(messageKey: string): Promise<void> {
    await this.redis.del(this.tryKey(messageKey));
  }

  private tryKey(messageKey: string) {
    return `${this.prefix}:{send}:try:${messageIdOf(messageKey)}`;
  }
}
