import type { RedisClient } from './redis';
import type { Clock } from '../domain/clock';
import type { TokenProvider } from '../wecom/api-client';
import { WeComNetworkError } from '../wecom/api-errors';
import type { GetTokenResponse } from '../wecom/api-types';

/** Deletes the cached token only if it is the one that was refused. */
const DELETE_IF_TOKEN = `
local v = redis.call('GET', KEYS[1])
if v and cjson.decode(v).token == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;

interface Cached {
  token: string;
  expiresAt: number;
}

/**
 * The access_token shared by every process: one Redis key per app, refreshed by one process at a time (a lock, no
 * stampede), ahead of expiry. A refused token is dropped only if it is still the cached one, so twenty calls that
 * all see 42001 cause one refresh, not twenty.
 */
export class RedisTokenCache implements TokenProvider {
  private readonly key: string;
  private readonly lockKey: string;

  constructor(
    private readonly redis: RedisClient,
    prefix: string,
    app: { corpId: string; agentId: number },
    private readonly fetchToken: () => Promise<Pick<GetTokenResponse, 'access_token' | 'expires_in'>>,
    private readonly clock: Clock,
    /** `name`: what is cached — `token` (the access_token, by default), or a JS-SDK ticket (`jsapi-ticket`, `agent-ticket`). */
    private readonly opts: { refreshAheadMs?: number; lockMs?: number; waitMs?: number; name?: string } = {},
  ) {
    const name = opts.name ?? 'token';
    this.key = `${prefix}:wecom:${name}:{${app.corpId}:${app.agentId}}`;
    this.lockKey = `${prefix}:wecom:${name}-lock:{${app.corpId}:${app.agentId}}`;
  }

  async get(): Promise<string> {
    const cached = await this.read();
    const now = this.clock.now();
    if (cached && cached.expiresAt - now > (this.opts.refreshAheadMs ?? 300_000)) return cached.token;
    if (cached && cached.expiresAt > now) {
      // Still valid but close to expiry: one process refreshes, everyone keeps using the current token meanwhile.
      if (await this.lock()) {
        const fresh = await this.read();
        if (fresh && fresh.token === cached.token) await this.refresh().catch(() => undefined);
        else await this.redis.del(this.lockKey);
      }
      return (await this.read())?.token ?? cached.token;
    }
    return this.obtain();
  }

  async invalidate(badToken: string): Promise<void> {
    await this.redis.eval(DELETE_IF_TOKEN, 1, this.key, badToken);
  }

  private async obtain(): Promise<string> {
    const deadline = Date.now() + (this.opts.waitMs ?? 5000);
    for (;;) {
      if (await this.lock()) {
        // Double-check under the lock: another process may have refreshed between our read and our lock.
        const fresh = await this.read();
        if (fresh && fresh.expiresAt > this.clock.now()) {
          await this.redis.del(this.lockKey);
          return fresh.token;
        }
        return this.refresh();
      }
      await new Promise((r) => setTimeout(r, 25));
      const cached = await this.read();
      if (cached && cached.expiresAt > this.clock.now()) return cached.token;
      if (Date.now() > deadline) throw new WeComNetworkError('gettoken', new Error('timed out waiting for another process to refresh the access_token'));
    }
  }

  private async refresh(): Promise<string> {
    try {
      const res = await this.fetchToken();
      const value: Cached = { token: res.access_token, expiresAt: this.clock.now() + res.expires_in * 1000 };
      await this.redis.set(this.key, JSON.stringify(value), 'PX', Math.max(res.expires_in * 1000, 1000));
      return value.token;
    } finally {
      await this.redis.del(this.lockKey);
    }
  }

  private async lock(): Promise<boolean> {
    return (await this.redis.set(this.lockKey, '1', 'PX', this.opts.lockMs ?? 10_000, 'NX')) === 'OK';
  }

  private async read(): Promise<Cached | undefined> {
    const raw = await this.redis.get(this.key);
    if (!raw) return undefined;
    try {
      return JSON.parse(raw) as Cached;
    } catch {
      return undefined;
    }
  }
}
