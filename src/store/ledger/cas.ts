/**
 * Compare-and-set of one JSON record: write the new value only if the key still holds what was expected
 * (connection-safe, unlike WATCH). KEYS[1] = the record; ARGV = what was expected ('' for absent), the new value ('' to
 * leave it as expected: a check only). Answers {1} when the key held what was expected (and now holds the new value),
 * else {0, what it holds} — so a caller that guessed wrong retries from the answer, without a read of its own.
 */
export const CAS_SCRIPT = `
local cur = redis.call('GET', KEYS[1]) or ''
if cur ~= ARGV[1] then return {0, cur} end
if ARGV[2] ~= '' and ARGV[2] ~= cur then redis.call('SET', KEYS[1], ARGV[2]) end
return {1}`;

/**
 * The value of each record this process last read or wrote, bounded (first remembered, first out): the expected value of an
 * optimistic compare-and-set. A record another process changed since fails the set once and the script answers its
 * value; a record never seen is expected absent (a new lead or group, the common case for a callback that creates
 * one), so a write costs one round trip instead of a read and a write, and never more than two.
 */
export class LastSeen {
  private readonly values = new Map<string, string>();

  constructor(private readonly capacity = 5_000) {}

  /** What this process last saw under `key`; '' (absent) when it saw nothing. */
  get(key: string): string {
    return this.values.get(key) ?? '';
  }

  /** Remembers `value`; past capacity the key remembered first goes (a guess lost costs one failed compare-and-set). */
  set(key: string, value: string): void {
    this.values.set(key, value);
    if (this.values.size > this.capacity) this.values.delete(this.values.keys().next().value as string);
  }
}
