import { hostname } from 'node:os';
import { ArchivePuller } from '../app/archive-puller';
import { ingestArchive } from '../app/archive-ingest';
import type { CustomerSignals } from '../app/customer-signals';
import type { ArchiveHold, MessageOutbox } from '../app/ports';
import { replayHeld } from '../app/archive-ingest';
import { RedisArchiveHold } from '../store/archive-hold';
import type { Config } from '../config/env';
import type { Clock } from '../domain/clock';
import type { Logger } from '../log';
import { RedisArchiveState } from '../store/archive-state';
import type { LedgerStore } from '../store/ledger-store';
import { createRedis } from '../store/redis';
import { ArchiveKeys } from '../wecom/archive-keys';
import type { ArchiveRecord } from '../wecom/events';
import { ArchiveSetupError, FinanceSdk } from '../wecom/finance-sdk';

/** The one archive path, in a worker: records (pulled, or posted by a sidecar) applied by ingestArchive. */
export function archiveApplier(store: LedgerStore, signals: CustomerSignals, outbox: MessageOutbox, hold?: ArchiveHold) {
  return (records: readonly ArchiveRecord[]) =>
    ingestArchive(store, records, signals, (rep, key, content) => outbox.enqueue({ key, touser: rep, body: { msgtype: 'text', text: { content } } }), hold);
}

export interface ArchiveRole {
  puller: ArchivePuller;
  close(): Promise<void>;
}

/**
 * The chat-archive puller, in a worker process or on its own (`npm run start:archive`): Tencent's SDK through koffi,
 * the company's keys, the puller's state in Redis, and a subscription that wakes it (msgaudit_notify, a replay asked
 * for). Every worker process runs one; the lease lets exactly one pull. A missing library or a bad key file stops
 * this role with one line in the log (ArchiveSetupError) — never the rest of the process.
 */
export async function startArchiveRole(
  config: Config,
  log: Logger,
  deps: { store: LedgerStore; signals: CustomerSignals; outbox: MessageOutbox; clock: Clock },
): Promise<ArchiveRole | undefined> {
  const setup = config.archivePuller;
  if (!setup) return undefined;
  const alog = log.child({ role: 'archive' });
  let sdk: FinanceSdk;
  let keys: ArchiveKeys;
  try {
    keys = new ArchiveKeys(setup.keys);
    sdk = new FinanceSdk(setup.sdkPath, config.wecom.corpId, setup.secret);
  } catch (err) {
    if (!(err instanceof ArchiveSetupError)) throw err;
    alog.error({ reason: 'archive.setup_failed', code: err.code }, `会话存档未启动 / the chat-archive puller did not start: ${err.message}`);
    return undefined;
  }
  const a = config.policy.archive;
  const redis = createRedis(config.redis, 'general');
  const subscriber = createRedis(config.redis, 'general');
  const state = new RedisArchiveState(redis, config.redis.prefix);
  const hold = new RedisArchiveHold(redis, config.redis.prefix);
  const apply = archiveApplier(deps.store, deps.signals, deps.outbox, hold);
  const puller = new ArchivePuller({
    sdk,
    keys,
    state,
    apply,
    // Messages that came before their lead: applied once it exists (after each pull).
    afterPull: () => replayHeld(deps.store, hold, apply),
    clock: deps.clock,
    log: alog,
    owner: `${hostname()}:${process.pid}`,
    settings: {
      limit: a.batchLimit,
      timeoutSeconds: a.timeoutSeconds,
      pullEveryMs: a.pullEverySeconds * 1000,
      leaseMs: a.leaseSeconds * 1000,
      retentionMs: a.retentionDays * 86_400_000,
      maxBackoffMs: a.maxBackoffSeconds * 1000,
      stoppedRetryMs: a.stoppedRetryMinutes * 60_000,
    },
  });
  subscriber.on('message', () => puller.wake());
  await subscriber.subscribe(state.wakeChannel);
  puller.start();
  alog.info({ reason: 'archive.started', versions: keys.versions(), every: a.pullEverySeconds }, 'chat-archive puller running');
  return {
    puller,
    async close() {
      await puller.stop();
      sdk.close();
      subscriber.disconnect();
      redis.disconnect();
    },
  };
}
