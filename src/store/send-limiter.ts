import type { RedisClient } from './redis';
import { defineScript } from './pipeline';
import type { RateSlots } from '../app/ports';

/**
 * WeCom silently drops app messages beyond 30 a minute or 1000 an hour per member, and caps the app's messages per
 * day — so we must never exceed them. One Lua script checks and reserves a slot in both sliding windows of the
 * member and in the app's daily counter, atomically across every worker process. It answers 0 (go) or how many
 * milliseconds to wait. Windows are slightly longer than WeCom's (`marginMs`) since our clock and WeCom's differ.
 */
const RESERVE = `
local now = tonumber(ARGV[1])
local minuteMs, hourMs = tonumber(ARGV[2]), tonumber(ARGV[3])
local perMinute, perHour = tonumber(ARGV[4]), tonumber(ARGV[5])
local dayQuota, untilDayEnd = tonumber(ARGV[6]), tonumber(ARGV[7])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - minuteMs)
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now - hourMs)
if redis.call('ZCARD', KEYS[1]) >= perMinute then
  local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
  return math.max(1, tonumber(oldest[2]) + minuteMs - now + 1)
end
if redis.call('ZCARD', KEYS[2]) >= perHour then
  local oldest = redis.call('ZRANGE', KEYS[2], 0, 0, 'WITHSCORES')
  return math.max(1, tonumber(oldest[2]) + hourMs - now + 1)
end
if tonumber(redis.call('GET', KEYS[3]) or '0') >= dayQuota then return math.max(1, untilDayEnd) end
redis.call('ZADD', KEYS[1], now, ARGV[8])
redis.call('ZADD', KEYS[2], now, ARGV[8])
redis.call('PEXPIRE', KEYS[1], minuteMs)
redis.call('PEXPIRE', KEYS[2], hourMs)
redis.call('INCR', KEYS[3])
redis.call('PEXPIRE', KEYS[3], untilDayEnd + 3600000)
return 0`;

export interface SendLimits {
  perMemberPerMinute: number;
  perMemberPerHour: number;
  appPerDay: number;
  /** Window lengths (60 000 / 3 600 000 in production; tests scale them down). */
  minuteMs: number;
  hourMs: number;
  marginMs: number;
}

/** After the send returned: move the reservation to the time WeCom has certainly seen the message by. */
const CONFIRM = `
redis.call('ZADD', KEYS[1], 'XX', ARGV[1], ARGV[2])
redis.call('ZADD', KEYS[2], 'XX', ARGV[1], ARGV[2])
return 0`;

interface LimiterCommands {
  confirmSendSlot(k1: string, k2: string, ...args: (string | number)[]): Promise<number>;
  reserveSendSlot(k1: string, k2: string, k3: string, ...args: (string | number)[]): Promise<number>;
}

export class SendLimiter implements RateSlots {
  private readonly redis: RedisClient & LimiterCommands;

  constructor(
    redis: RedisClient,
    private readonly prefix: string,
    private readonly limits: SendLimits,
  ) {
    defineScript(redis, 'reserveSendSlot', RESERVE, 3);
    defineScript(redis, 'confirmSendSlot', CONFIRM, 2);
    this.redis = redis as RedisClient & LimiterCommands;
  }

  private windowKeys(member: string): [string, string] {
    const base = `${this.prefix}:{send}:rate:${member.toLowerCase()}`;
    return [`${base}:m`, `${base}:h`];
  }

  /**
   * After the message went out, its slot is re-stamped with the completion time: WeCom saw it between the
   * reservation and now, so counting it at `now` keeps our window at least as full as WeCom's.
   */
  async confirm(member: string, slot: string, now: number): Promise<void> {
    const [m, h] = this.windowKeys(member);
    await this.redis.confirmSendSlot(m, h, now, slot);
  }

  /** 0 when a slot was reserved for this message; otherwise how long to wait before asking again. */
  async reserve(member: string, slot: string, now: number, day: { id: string; msUntilEnd: number }): Promise<number> {
    const l = this.limits;
    const [m, h] = this.windowKeys(member);
    return this.redis.reserveSendSlot(
      m,
      h,
      `${this.prefix}:{send}:quota:${day.id}`,
      now,
      l.minuteMs + l.marginMs,
      l.hourMs + l.marginMs,
      l.perMemberPerMinute,
      l.perMemberPerHour,
      l.appPerDay,
      day.msUntilEnd,
      slot,
    );
  }
}
