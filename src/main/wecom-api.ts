import type { RedisClient } from '../store/redis';
import type { Config } from '../config/env';
import type { Clock } from '../domain/clock';
import type { Logger } from '../log';
import { SendLimiter } from '../store/send-limiter';
import { RedisTokenCache } from '../store/token-cache';
import { WeComApiClient } from '../wecom/api-client';

/** The WeCom API client with its Redis-shared access_token. */
export function createWeComApi(config: Config, redis: RedisClient, clock: Clock, log: Logger): WeComApiClient {
  const { wecom, policy } = config;
  const client = new WeComApiClient({
    baseUrl: wecom.apiBase,
    corpId: wecom.corpId,
    secret: wecom.secret,
    agentId: wecom.agentId,
    timeoutMs: policy.wecomApi.timeoutMs,
    attempts: policy.wecomApi.attempts,
    backoffMs: policy.wecomApi.backoffMs,
    log,
  });
  const tokens = new RedisTokenCache(redis, config.redis.prefix, wecom, () => client.fetchToken(), clock);
  return client.useTokens(tokens);
}

export function createSendLimiter(config: Config, redis: RedisClient, windows: { minuteMs?: number; hourMs?: number } = {}): SendLimiter {
  const s = config.policy.send;
  return new SendLimiter(redis, config.redis.prefix, {
    perMemberPerMinute: s.perMemberPerMinute,
    perMemberPerHour: s.perMemberPerHour,
    appPerDay: s.appPerDay,
    marginMs: s.marginMs,
    minuteMs: windows.minuteMs ?? 60_000,
    hourMs: windows.hourMs ?? 3_600_000,
  });
}
