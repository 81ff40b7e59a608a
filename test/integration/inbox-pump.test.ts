import { createInboxQueue } from '../../src/jobs/inbox-queue';
import { InboxPump } from '../../src/jobs/inbox-pump';
import { createRedis, waitReady } from '../../src/store/redis';
import { inboxKeys, StreamInbox } from '../../src/store/stream-inbox';
import { decodeAppPlaintext, eventIdFor } from '../../src/wecom/codec';
import type { InboxEnvelope } from '../../src/wecom/events';
import { captureLogger, cleanupRedis, REDIS_URL, testConfig, uniquePrefix, waitFor } from '../helpers/config';
import { fixture } from '../helpers/fixtures';

const prefix = uniquePrefix('pump');
const config = testConfig(prefix);
const redis = createRedis(REDIS_URL, 'general');
const ingress = createRedis(REDIS_URL, 'ingress');
const blocking = createRedis(REDIS_URL, 'worker');
const queueConnection = createRedis(REDIS_URL, 'worker');
const queue = createInboxQueue(queueConnection, prefix);

function envelope(n: number): InboxEnvelope {
  const plaintext = fixture('app/chat_create.xml').replace('CHAT_ID', `CHAT_${n}`);
  const event = decodeAppPlaintext(plaintext);
  return { id: eventIdFor('app', event, plaintext), channel: 'app', receivedAt: 1_700_000_000_000 + n, event, plaintext };
}

afterAll(async () => {
  await queue.close();
  queueConnection.disconnect();
  blocking.disconnect();
  ingress.disconnect();
  await cleanupRedis(prefix);
  redis.disconnect();
});

test('batched records: 100 concurrent callbacks (10 of them repeated) become 100 stream entries', async () => {
  await waitReady(ingress);
  const inbox = new StreamInbox(ingress, prefix, { dedupTtlMs: 60_000, streamMaxLen: 10_000, maxBatch: 16 });
  const envs = Array.from({ length: 100 }, (_, i) => envelope(i));
  await Promise.all([...envs, ...envs.slice(0, 10)].map((e) => inbox.record(e)));
  expect(await redis.xlen(inboxKeys(prefix).stream)).toBe(100);
});

test('entries a crashed pump read but never acknowledged are claimed by another pump and enqueued once', async () => {
  const keys = inboxKeys(prefix);
  await blocking.xgroup('CREATE', keys.stream, keys.group, '0', 'MKSTREAM').catch(() => undefined);
  // A pump that dies right after reading 40 entries:
  const read = (await redis.xreadgroup('GROUP', keys.group, 'dead-pump', 'COUNT', 40, 'STREAMS', keys.stream, '>')) as [string, unknown[]][];
  expect(read[0]?.[1]).toHaveLength(40);

  const { log, lines } = captureLogger();
  const pump = new InboxPump(blocking, queue, prefix, config.policy, log, { claimIdleMs: 1, blockMs: 100 });
  await pump.start();
  await waitFor(async () => (await queue.getJobCounts('waiting')).waiting === 100);
  await pump.stop();
  const pending = (await redis.xpending(keys.stream, keys.group)) as [number, ...unknown[]];
  expect(pending[0]).toBe(0);
  expect(lines.some((l) => l.reason === 'inbox.pump_reclaimed')).toBe(true);
  const job = await queue.getJob(envelope(7).id);
  expect(job?.data.event).toEqual(envelope(7).event);
  expect(job?.name).toBe('external_chat');
});

test('an unreadable entry is logged and acknowledged, not retried forever', async () => {
  const keys = inboxKeys(prefix);
  await redis.xadd(keys.stream, '*', 'garbage', '1');
  const { log, lines } = captureLogger();
  const pump = new InboxPump(blocking, queue, prefix, config.policy, log, { blockMs: 100 });
  await pump.start();
  await waitFor(() => lines.some((l) => l.reason === 'inbox.unreadable_entry'));
  await pump.stop();
  const pending = (await redis.xpending(keys.stream, keys.group)) as [number, ...unknown[]];
  expect(pending[0]).toBe(0);
});

test('a signed event the webhook stored without decoding, that does not decode, is enqueued as unknown and logged PAYLOAD_MALFORMED', async () => {
  const inbox = new StreamInbox(ingress, prefix, { dedupTtlMs: 60_000, streamMaxLen: 10_000 });
  const plaintext = '<xml><MsgType>event</MsgType><Event>change_external_chat<ChatId>x</xml>';
  await inbox.record({ id: 'app-sha-malformed', channel: 'app', receivedAt: 1_700_000_000_000, plaintext });
  const { log, lines } = captureLogger();
  const pump = new InboxPump(blocking, queue, prefix, config.policy, log, { blockMs: 100 });
  await pump.start();
  await waitFor(async () => Boolean(await queue.getJob('app-sha-malformed')));
  await pump.stop();
  const job = await queue.getJob('app-sha-malformed');
  expect(job?.name).toBe('unknown');
  expect(job?.data).toMatchObject({ plaintext, event: { kind: 'unknown', channel: 'app', type: expect.stringMatching(/^malformed: /) as string } });
  expect(lines.find((l) => l.reason === 'PAYLOAD_MALFORMED')).toMatchObject({ eventId: 'app-sha-malformed' });
});
