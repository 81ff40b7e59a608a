/** A private, throw-away redis-server for tests that stop and restart Redis (tools/private-redis.ts, shared with the demo). */
export { PrivateRedis } from '../../tools/private-redis';
