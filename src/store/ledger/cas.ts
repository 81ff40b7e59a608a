/**
 * Compare-and-set of one JSON record: write the new value only if the key still holds what was read (connection-safe,
 * unlike WATCH). KEYS[1] = the record; ARGV = what was read ('' for absent), the new value. Answers 1 when written.
 */
export const CAS_SCRIPT = `
if (redis.call('GET', KEYS[1]) or '') == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[2])
  return 1
end
return 0`;
