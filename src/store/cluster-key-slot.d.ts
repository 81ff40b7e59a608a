/** cluster-key-slot (a dependency of ioredis) ships no types: the slot of a key, honouring hash tags. */
declare module 'cluster-key-slot' {
  function calculateSlot(key: string | Buffer): number;
  export = calculateSlot;
}
