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

/**
 * An entry holds the callback as received — id, channel, receive time and the decrypted plaintext — not the decoded
 * event: the raw truth is what an operator replays, and the worker decodes it with whatever decoder it runs.
 *
 * The script records a batch: KEYS = the batch's seen-keys then the stream; ARGV = ttl, maxlen, then four values per
 * entry. Callbacks that arrive in the same event-loop turn share one round trip (see RecordBatcher below).
 */
const RECORD_SCRIPT = `
local n = #KEYS - 1
local stream = KEYS[#KEYS]
for i = 1, n do
  local a = 2 + (i - 1) * 4
  if redis.call('SET', KEYS[i], '1', 'NX', 'PX', ARGV[1]) then
    redis.call('XADD', stream, 'MAXLEN', '~', ARGV[2], '*', 'id', ARGV[a + 1], 'ch', ARGV[a + 2], 'at', ARGV[a + 3], 'p', ARGV[a + 4])
  end
end
return n`;

interface InboxCommands {
  recordInbox(numKeys: number, ...args: (string | number)[]): Promise<number>;
}

/** What a stream entry carries. */
export interface InboxRecord {
  id: string;
  channel: 'app' | 'bot';
  receivedAt: number;
  plaintext: string;
}

/** Reads an entry's fields back; undefined when the entry is not ours. */
export function readInboxRecord(fields: string[]): InboxRecord | undefined {
  const f: Record<string, string> = {};
  for (let i = 0; i + 1 < fields.length; i += 2) f[fields[i] as string] = fields[i + 1] as string;
  const { id, ch, at, p } = f;
  if (!id || (ch !== 'app' && ch !== 'bot') || p === undefined || !at) return undefined;
  return { id, channel: ch, receivedAt: Number(at), plaintext: p };
}

export class StreamInbox implements EventInbox {
  private readonly keys;
  private readonly redis: Redis & InboxCommands;
  private pending: { envelope: InboxEnvelope; resolve: () => void; reject: (err: unknown) => void }[] = [];
  private scheduled = false;

  constructor(
    redis: Redis,
    prefix: string,
    private readonly opts: { dedupTtlMs: number; streamMaxLen: number; maxBatch?: number },
  ) {
    this.keys = inboxKeys(prefix);
    if (!('recordInbox' in redis)) redis.defineCommand('recordInbox', { lua: RECORD_SCRIPT });
    this.redis = redis as Redis & InboxCommands;
  }

  /**
   * Resolves once this envelope's batch is stored. Batching only groups callbacks that are already waiting in the
   * same event-loop turn: it adds no delay, and each callback is still acknowledged only after its own write.
   */
  record(envelope: InboxEnvelope): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.pending.push({ envelope, resolve, reject });
      if (this.pending.length >= (this.opts.maxBatch ?? 64)) this.flush();
      else if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  private flush(): void {
    this.scheduled = false;
    const batch = this.pending;
    if (batch.length === 0) return;
    this.pending = [];
    const keys = batch.map((b) => this.keys.seen(b.envelope.id));
    const args: (string | number)[] = [this.opts.dedupTtlMs, this.opts.streamMaxLen];
    for (const { envelope: e } of batch) args.push(e.id, e.channel, e.receivedAt, e.plaintext);
    this.redis.recordInbox(keys.length + 1, ...keys, this.keys.stream, ...args).then(
      () => {
        for (const b of batch) b.resolve();
      },
      (err: unknown) => {
        const failure = new StoreUnavailableError(err);
        for (const b of batch) b.reject(failure);
      },
    );
  }
}
