import type { RedisClient } from './redis';
import type { BoardSession, SessionStore } from '../app/ports';

/**
 * Board sessions in Redis: `<p>:session:{<id>}` (JSON, expires after the idle timeout, renewed as it is used). Any web
 * process serves any session. (A sign-in not yet finished is a signed cookie, not a key: src/app/board-auth.ts.)
 */
export class RedisSessionStore implements SessionStore {
  constructor(
    private readonly redis: RedisClient,
    private readonly prefix: string,
  ) {}

  private key(id: string) {
    return `${this.prefix}:session:{${id}}`;
  }

  async createSession(s: BoardSession, ttlMs: number): Promise<void> {
    await this.redis.set(this.key(s.id), JSON.stringify(s), 'PX', ttlMs);
  }

  async getSession(id: string): Promise<BoardSession | undefined> {
    if (!/^[A-Za-z0-9_-]{20,64}$/.test(id)) return undefined;
    const raw = await this.redis.get(this.key(id));
    return raw ? (JSON.parse(raw) as BoardSession) : undefined;
  }

  async touchSession(s: BoardSession, ttlMs: number): Promise<void> {
    await this.redis.set(this.key(s.id), JSON.stringify(s), 'PX', ttlMs, 'XX');
  }

  async deleteSession(id: string): Promise<void> {
    await this.redis.del(this.key(id));
  }
}
