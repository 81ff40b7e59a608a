import type { RedisClient } from './redis';
import { defineScript } from './pipeline';
import { InboxFullError, StoreUnavailableError, type EventInbox } from '../app/ports';
import type { ReceivedCallback } from '../wecom/events';

/**
 * The webhook's durable inbox: a Redis Stream, written by one Lua script per batch of callbacks that remembers each
 * callback's idempotency key (SET with a TTL) and appends the callback only if the key was new and there is room. One round trip,
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
 * The script records a batch: KEYS = the batch's seen-keys then the stream; ARGV = ttl, the stream's hard limit, then
 * four values per entry. It answers one status per entry: 1 stored, 0 already stored (a retry), -1 refused because the
 * stream is full. The stream is never trimmed here: an entry leaves it only after a pump handed it to BullMQ
 * (trimForwarded below). A refused entry leaves no seen-key behind, so WeCom's retry is stored once there is room.
 * Callbacks that arrive in the same event-loop turn share one round trip (see record() below).
 */
const RECORD_SCRIPT = `
local n = #KEYS - 1
local stream = KEYS[#KEYS]
local limit = tonumber(ARGV[2])
local len = redis.call('XLEN', stream)
local out = {}
for i = 1, n do
  local a = 2 + (i - 1) * 4
  if redis.call('EXISTS', KEYS[i]) == 1 then
    out[i] = 0
  elseif len >= limit then
    out[i] = -1
  else
    redis.call('SET', KEYS[i], '1', 'PX', ARGV[1])
    redis.call('XADD', stream, '*', 'id', ARGV[a + 1], 'ch', ARGV[a + 2], 'at', ARGV[a + 3], 'p', ARGV[a + 4])
    len = len + 1
    out[i] = 1
  end
end
out[n + 1] = len
return out`;

/**
 * Trims entries a pump has already handed to BullMQ, keeping the newest `keep` of the stream as an audit trail. The
 * safe point is the consumer group's oldest pending entry, or its last-delivered id when nothing is pending: nothing
 * at or after it is ever trimmed. Works on at most ARGV[3] entries per call (cheap when called after every batch; a
 * long backlog is trimmed over several calls). KEYS = stream; ARGV = group, keep, max per call. Answers the count.
 */
const TRIM_SCRIPT = `
local stream, group = KEYS[1], ARGV[1]
local keep, most = tonumber(ARGV[2]), tonumber(ARGV[3])
local len = redis.call('XLEN', stream)
local excess = len - keep
if excess <= 0 then return 0 end
if excess > most then excess = most end
local ok, groups = pcall(redis.call, 'XINFO', 'GROUPS', stream)
if not ok then return 0 end
local safe = nil
for _, g in ipairs(groups) do
  local name, last = nil, nil
  for j = 1, #g, 2 do
    if g[j] == 'name' then name = g[j + 1] elseif g[j] == 'last-delivered-id' then last = g[j + 1] end
  end
  if name == group then safe = last end
end
if not safe then return 0 end
local pending = redis.call('XPENDING', stream, group)
if tonumber(pending[1]) > 0 and pending[2] then safe = pending[2] end
local function before(a, b)
  local am, as = string.match(a, '^(%d+)-(%d+)$')
  local bm, bs = string.match(b, '^(%d+)-(%d+)$')
  am, as, bm, bs = tonumber(am), tonumber(as), tonumber(bm), tonumber(bs)
  return am < bm or (am == bm and as < bs)
end
local head = redis.call('XRANGE', stream, '-', '+', 'COUNT', excess + 1)
local cut = 0
for i = 1, math.min(excess, #head) do
  if before(head[i][1], safe) then cut = i else break end
end
if cut == 0 then return 0 end
local minid = head[cut + 1] and head[cut + 1][1] or safe
return redis.call('XTRIM', stream, 'MINID', minid)`;

interface InboxCommands {
  recordInbox(numKeys: number, ...args: (string | number)[]): Promise<number[]>;
  trimInbox(stream: string, group: string, keep: number, most: number): Promise<number>;
}

function withInboxCommands(redis: RedisClient): RedisClient & InboxCommands {
  defineScript(redis, 'recordInbox', RECORD_SCRIPT);
  defineScript(redis, 'trimInbox', TRIM_SCRIPT, 1);
  return redis as RedisClient & InboxCommands;
}

/** Trims callbacks the pump has handed to BullMQ beyond the newest `keep` (see TRIM_SCRIPT); never an unforwarded one. */
export function trimForwarded(redis: RedisClient, prefix: string, keep: number, most = 2000): Promise<number> {
  const k = inboxKeys(prefix);
  return withInboxCommands(redis).trimInbox(k.stream, k.group, keep, most);
}

/** Reads an entry's fields back; undefined when the entry is not ours. */
export function readInboxRecord(fields: string[]): ReceivedCallback | undefined {
  const f: Record<string, string> = {};
  for (let i = 0; i + 1 < fields.length; i += 2) f[fields[i] as string] = fields[i + 1] as string;
  const { id, ch, at, p } = f;
  if (!id || (ch !== 'app' && ch !== 'bot' && ch !== 'archive') || p === undefined || !at) return undefined;
  return { id, channel: ch, receivedAt: Number(at), plaintext: p };
}

export class StreamInbox implements EventInbox {
  private readonly keys;
  private readonly redis: RedisClient & InboxCommands;
  private pending: { callback: ReceivedCallback; resolve: (status: 'stored' | 'already_stored') => void; reject: (err: unknown) => void }[] = [];
  private scheduled = false;

  constructor(
    redis: RedisClient,
    prefix: string,
    private readonly opts: {
      dedupTtlMs: number;
      /** Hard limit of the stream's length: new callbacks beyond it are refused (InboxFullError → 503). */
      streamMaxLen: number;
      maxBatch?: number;
    },
  ) {
    this.keys = inboxKeys(prefix);
    this.redis = withInboxCommands(redis);
  }

  /**
   * Resolves once this callback's batch is stored. Batching only groups callbacks that are already waiting in the
   * same event-loop turn: it adds no delay, and each callback is still acknowledged only after its own write.
   */
  record(callback: ReceivedCallback): Promise<'stored' | 'already_stored'> {
    return new Promise((resolve, reject) => {
      this.pending.push({ callback, resolve, reject });
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
    const keys = batch.map((b) => this.keys.seen(b.callback.id));
    const args: (string | number)[] = [this.opts.dedupTtlMs, this.opts.streamMaxLen];
    for (const { callback: e } of batch) args.push(e.id, e.channel, e.receivedAt, e.plaintext);
    this.redis.recordInbox(keys.length + 1, ...keys, this.keys.stream, ...args).then(
      (statuses) => {
        const length = Number(statuses[batch.length] ?? 0);
        batch.forEach((b, i) =>
          statuses[i] === -1
            ? b.reject(new InboxFullError(length, this.opts.streamMaxLen))
            : b.resolve(Number(statuses[i]) === 1 ? 'stored' : 'already_stored'),
        );
      },
      (err: unknown) => {
        const failure = new StoreUnavailableError(err);
        for (const b of batch) b.reject(failure);
      },
    );
  }
}

/**
 * The stream's figures for metrics: its length, entries a pump read but has not handed over (pending), and entries no
 * pump has read yet (unread: the group's lag, or the whole stream before any pump started).
 */
export async function inboxStats(redis: RedisClient, prefix: string): Promise<{ length: number; pending: number; unread: number }> {
  const k = inboxKeys(prefix);
  const length = await redis.xlen(k.stream);
  const groups = (await redis.xinfo('GROUPS', k.stream).catch((err: Error) => {
    if (/no such key|ERR/.test(err.message)) return [];
    throw err;
  })) as unknown[][];
  const group = groups
    .map((g) => Object.fromEntries(Array.from({ length: g.length / 2 }, (_, i) => [String(g[2 * i]), g[2 * i + 1]])))
    .find((g) => g.name === k.group);
  if (!group) return { length, pending: 0, unread: length };
  const lag = group.lag === null || group.lag === undefined ? undefined : Number(group.lag);
  return { length, pending: Number(group.pending ?? 0), unread: lag ?? Math.max(0, length - Number(group.pending ?? 0)) };
}
