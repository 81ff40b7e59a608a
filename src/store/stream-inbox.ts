import type Redis from 'ioredis';
import { StoreUnavailableError, type EventInbox } from '../app/ports';
import type { InboxEnvelope } from '../wecom/events';

/**
 * The webhook's durable inbox: a Redis Stream, written by one Lua script per callback that remembers the
 * callback's idempotency key (SET NX with a TTL) and appends the envelope only if the key was new. One round trip,
 * atomic: when it returns, the event is stored (as durable as Redis is configured to be — AOF in docker-compose).
 * The worker's pump moves entries from the stream into the BullMQ inbox queue (src/jobs/inbox-pump.ts).
 *
 * Keys share the `{inbox}` hash tag so the script's keys live in one Redis Cluster slot.
 */
export function inboxKeys(prefix: string) {
  return {
    stream: `${prefix}:{inbox}:stream`,
    seen: (id: string) => `${prefix}:{inbox}:seen:${id}`,
    group: 'pump',
  };
}

const RECORD_SCRIPT = `
if redis.call('SET', KEYS[1], '1', 'NX', 'PX', ARGV[1]) then
  redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[2], '*', 'e', ARGV[3])
  return 1
end
return 0`;

interface InboxCommands {
  recordInbox(seenKey: string, stream: string, ttlMs: number, maxLen: number, payload: string): Promise<number>;
}

export class StreamInbox implements EventInbox {
  private readonly keys;
  private readonly redis: Redis & InboxCommands;

  constructor(
    redis: Redis,
    prefix: string,
    private readonly opts: { dedupTtlMs: number; streamMaxLen: number },
  ) {
    this.keys = inboxKeys(prefix);
    if (!('recordInbox' in redis)) redis.defineCommand('recordInbox', { numberOfKeys: 2, lua: RECORD_SCRIPT });
    this.redis = redis as Redis & InboxCommands;
  }

  async record(envelope: InboxEnvelope): Promise<void> {
    try {
      await this.redis.recordInbox(this.keys.seen(envelope.id), this.keys.stream, this.opts.dedupTtlMs, this.opts.streamMaxLen, JSON.stringify(envelope));
    } catch (err) {
      throw new StoreUnavailableError(err);
    }
  }
}
