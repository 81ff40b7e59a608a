import type { Worker } from 'bullmq';
import { HandlerDispatch, type EventHandlers } from '../app/dispatch';
import { Ledger } from '../app/ledger';
import { ledgerHandlers } from '../app/ledger-handlers';
import { RepCommands } from '../app/rep-commands';
import { systemClock } from '../app/system-clock';
import type { Config } from '../config/env';
import type { Clock } from '../domain/clock';
import { InboxPump } from '../jobs/inbox-pump';
import { createInboxQueue } from '../jobs/inbox-queue';
import { startInboxWorker } from '../jobs/inbox-worker';
import { startReconcileWorker } from '../jobs/reconcile';
import { reconcile } from '../app/reconcile';
import { SendQueue } from '../jobs/send-queue';
import { startSendWorker } from './send-worker';
import type { Logger } from '../log';
import { LedgerStore } from '../store/ledger-store';
import { createRedis } from '../store/redis';
import { WeComCards, WeComDirectory } from '../wecom/directory';
import { Nudger } from '../app/nudger';
import { CardPresses } from '../app/card-presses';
import { RepActions } from '../app/rep-actions';
import { MeetingAttendance } from '../app/meeting-attendance';
import { customerSignals } from './customer-signals';
import { GroupInvites } from '../app/group-invites';
import { ActivityStore } from '../store/activity-store';
import { RedisBookingStore } from '../store/booking-store';
import { RedisSentMarks } from '../store/sent-marks';
import { NudgeStore } from '../store/nudge-store';
import { RedisBoardProjection } from '../store/board-projection';
import { startNudgeJobs } from '../jobs/nudge-jobs';
import type { NudgeSettings } from '../domain/nudge-policy';
import { createSendLimiter, createWeComApi } from './wecom-api';
import { archiveApplier, startArchiveRole, type ArchiveRole } from './archive';
import { RedisArchiveState } from '../store/archive-state';
import { RedisArchiveHold } from '../store/archive-hold';
import { replayHeld } from '../app/archive-ingest';

export interface WorkerHandle {
  workers: Worker[];
  pump: InboxPump;
  ledger: Ledger;
  /** The ledger's repositories (tests and the demo read leads through them). */
  store: LedgerStore;
  nudger: Nudger;
  cards: CardPresses;
  /** Booked meetings' attendance (tests run it by hand, as they do the sweep). */
  attendance: MeetingAttendance;
  /** The chat-archive puller, when WECOM_ARCHIVE_SDK_PATH is set and it started. */
  archive?: ArchiveRole;
  reconcileNow(): ReturnType<typeof reconcile>;
  close(): Promise<void>;
}

/**
 * Composition root of the worker process: the inbox pump and consumers (the ledger), the send queue, the nightly
 * reconciliation. Run as many as you like against the same Redis.
 */
export async function startWorker(
  config: Config,
  log: Logger,
  opts: {
    handlers?: EventHandlers;
    clock?: Clock;
    sendWindows?: { minuteMs?: number; hourMs?: number };
    schedulers?: boolean;
    /** BullMQ lock period for the send and nudge workers (default 30 s); tests shorten it (see lockOptions). */
    lockMs?: number;
    /** false: no chat-archive puller here even when configured (tests that run the puller themselves). */
    archive?: boolean;
  } = {},
): Promise<WorkerHandle> {
  const clock = opts.clock ?? systemClock;
  const prefix = config.redis.prefix;
  const connection = createRedis(config.redis, 'worker');
  const pumpConnection = createRedis(config.redis, 'worker');
  const redis = createRedis(config.redis, 'general');
  const api = createWeComApi(config, redis, clock, log);
  const directory = new WeComDirectory(api);
  const activity = new ActivityStore(redis, prefix);
  const outbox = new SendQueue(redis, prefix, { log, activity });
  const store = new LedgerStore(redis, prefix, clock);
  // Indexes written before the {idx} hash tag move to their new keys before anything reads them (once; idempotent).
  const migrated = await store.migrateLegacyIndexes().catch((err: unknown) => {
    log.error({ reason: 'index.migration_failed', err }, 'could not move the indexes to their new keys; the nightly repair rebuilds them');
    return 0;
  });
  if (migrated > 0) log.info({ reason: 'index.migrated', keys: migrated }, 'moved the lead indexes to their {idx} keys');
  const invites = new GroupInvites({ store, maker: directory, log });
  const ledger = new Ledger({ store, directory, outbox, invites, activity, clock, sourceRules: config.policy.ledger.sourceRules, log });
  const bookings = new RedisBookingStore(redis, prefix);
  const nudgeStore = new NudgeStore(redis, prefix);
  const cards = new WeComCards(api, config.policy.nudges.managers);
  const n = config.policy.nudges;
  const signals = customerSignals(store, config.businessTz, config.policy.signals.competitors);
  const actions = new RepActions({ store, ledger, meetings: directory, bookings, invites, timeZone: config.businessTz, log, signals, outbox, names: cards });
  const commands = new RepCommands({ store, ledger, actions, clock, timeZone: config.businessTz, log });
  const cardPresses = new CardPresses({ store, actions, outbox, cards, activity, clock, timeZone: config.businessTz, businessDays: config.nudgeDays, log });
  const attendance = new MeetingAttendance({ store, bookings, meetings: directory, actions, outbox, activity, clock, timeZone: config.businessTz, log });
  const nudger = new Nudger({
    store,
    nudges: nudgeStore,
    outbox,
    managers: cards,
    cards,
    marks: new RedisSentMarks(redis, prefix),
    board: new RedisBoardProjection(redis, prefix),
    activity,
    clock,
    settings: nudgeSettings(config),
    dailyCapPerRep: n.dailyCapPerRep,
    escalateAfterIgnored: n.escalateAfterIgnored,
    log,
  });

  const sender = startSendWorker({
    connection,
    redis,
    redisPrefix: prefix,
    client: api,
    limiter: createSendLimiter(config, redis, opts.sendWindows),
    clock,
    timeZone: config.businessTz,
    log,
    concurrency: config.policy.send.concurrency,
    duplicateCheckSeconds: config.policy.send.duplicateCheckSeconds,
    activity,
    lockMs: opts.lockMs,
  });
  // Archived messages (a sidecar's, through the inbox) about customers not yet leads wait in the hold.
  const hold = new RedisArchiveHold(redis, prefix);
  const applyArchive = archiveApplier(store, signals, outbox, hold);
  const queue = createInboxQueue(connection, prefix);
  const pump = new InboxPump(pumpConnection, queue, prefix, config.policy, log);
  await pump.start();
  const inbox = startInboxWorker({
    connection,
    redisPrefix: prefix,
    policy: config.policy,
    consumer: new HandlerDispatch(
      opts.handlers ??
        ledgerHandlers({
          ledger,
          commands,
          cards: cardPresses,
          outbox,
          archive: applyArchive,
          archiveWakeup: new RedisArchiveState(redis, prefix),
          log,
        }),
    ),
    log,
  });
  const reconcileNow = () => reconcile({ store, ledger, directory, clock, log });
  const schedulers = opts.schedulers ?? true;
  const nightly = await startReconcileWorker({
    connection,
    redisPrefix: prefix,
    cron: config.policy.ledger.reconcileCron,
    timeZone: config.businessTz,
    // Nightly: reconcile with WeCom, apply the archived messages held for leads it created, then rebuild the board's
    // rows from every lead.
    run: async () => {
      const report = await reconcileNow();
      for (let pass = 0; pass < 50 && (await replayHeld(store, hold, applyArchive)) > 0; pass++);
      await nudger.rebuildBoard();
      return report;
    },
    log,
    schedulers,
  });
  const nudgeJobs = await startNudgeJobs({
    schedulers,
    connection,
    redisPrefix: prefix,
    nudges: nudger,
    attendance,
    sweepEveryMinutes: n.sweepEveryMinutes,
    sweepBatch: n.sweepBatch,
    digestCron: n.digestCron,
    timeZone: config.businessTz,
    log,
    lockMs: opts.lockMs,
  });
  const archive = opts.archive === false ? undefined : await startArchiveRole(config, log, { store, signals, outbox, clock });
  log.info({ reason: 'worker.started', concurrency: config.policy.inbox.concurrency, pump: pump.consumer }, 'worker running');
  return {
    workers: [inbox, sender, nightly.worker, nudgeJobs.worker],
    pump,
    ledger,
    store,
    nudger,
    cards: cardPresses,
    attendance,
    archive,
    reconcileNow,
    async close() {
      await archive?.close();
      await pump.stop();
      await Promise.all([inbox.close(), sender.close(), nightly.worker.close(), nudgeJobs.worker.close()]);
      await Promise.all([queue.close(), outbox.close(), nightly.queue.close(), nudgeJobs.queue.close()]);
      pumpConnection.disconnect();
      connection.disconnect();
      redis.disconnect();
    },
  };
}

export function nudgeSettings(config: Config): NudgeSettings {
  const n = config.policy.nudges;
  return {
    timeZone: config.businessTz,
    hours: config.nudgeHours,
    days: config.nudgeDays,
    positionAfterHours: n.positionAfterHours,
    weeklyCallDays: n.weeklyCallDays,
    quietDays: n.quietDays,
    proposalHours: n.proposalHours,
    widenChainDays: n.widenChainDays,
    repeatDays: n.repeatDays,
    recheckHours: n.recheckHours,
    leadGapHours: n.leadGapHours,
  };
}
