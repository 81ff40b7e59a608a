import type { RedisClient } from '../store/redis';
import type { Config } from '../config/env';
import type { Clock } from '../domain/clock';
import type { Logger } from '../log';
import { SendLimiter } from '../store/send-limiter';
import { RedisTokenCache } from '../store/token-cache';
import { WeComApiClient } from '../wecom/api-client';
import type { JsApiTickets } from '../app/ports';

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

/**
 * The JS-SDK tickets the sidebar signs with, each cached in Redis and refreshed by one process at a time (as the
 * access_token is): WeCom allows 400 enterprise tickets an hour per corp and 100 per app.
 */
export function createJsApiTickets(config: Config, redis: RedisClient, api: WeComApiClient, clock: Clock): JsApiTickets {
  const asToken = (r: { ticket: string; expires_in: number }) => ({ access_token: r.ticket, expires_in: r.expires_in });
  const corp = new RedisTokenCache(redis, config.redis.prefix, config.wecom, async () => asToken(await api.getJsapiTicket()), clock, { name: 'jsapi-ticket' });
  const agent = new RedisTokenCache(redis, config.redis.prefix, config.wecom, async () => asToken(await api.getAgentConfigTicket()), clock, {
    name: 'agent-ticket',
  });
  return { corp: () => corp.get(), agent: () => agent.get() };
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
