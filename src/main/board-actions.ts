import type { RedisClient } from '../store/redis';
import { GroupInvites } from '../app/group-invites';
import { Ledger } from '../app/ledger';
import { RepActions } from '../app/rep-actions';
import type { Config } from '../config/env';
import type { Clock } from '../domain/clock';
import { SendQueue } from '../jobs/send-queue';
import type { Logger } from '../log';
import { ActivityStore } from '../store/activity-store';
import { RedisBookingStore } from '../store/booking-store';
import type { LedgerStore } from '../store/ledger-store';
import type { WeComApiClient } from '../wecom/api-client';
import { WeComCards, WeComDirectory } from '../wecom/directory';
import { customerSignals } from './customer-signals';

/**
 * The rep-action core as the web process composes it for the board (提醒他, 我来跟): the same RepActions the worker's
 * commands and card presses use, over the same Redis, with the send queue for what it tells reps.
 */
export function boardActions(
  config: Config,
  d: { redis: RedisClient; store: LedgerStore; api: WeComApiClient; clock: Clock; log: Logger },
): { actions: RepActions; ledger: Ledger; outbox: SendQueue; close(): Promise<void> } {
  const prefix = config.redis.prefix;
  const directory = new WeComDirectory(d.api);
  const activity = new ActivityStore(d.redis, prefix);
  const outbox = new SendQueue(d.redis, prefix, { log: d.log, activity });
  const invites = new GroupInvites({ store: d.store, maker: directory, log: d.log });
  const ledger = new Ledger({
    store: d.store,
    directory,
    outbox,
    invites,
    activity,
    clock: d.clock,
    sourceRules: config.policy.ledger.sourceRules,
    log: d.log,
  });
  const actions = new RepActions({
    store: d.store,
    ledger,
    meetings: directory,
    bookings: new RedisBookingStore(d.redis, prefix),
    invites,
    timeZone: config.businessTz,
    log: d.log,
    signals: customerSignals(d.store, config.businessTz, config.policy.signals.competitors),
    outbox,
    names: new WeComCards(d.api, config.policy.nudges.managers),
  });
  return { actions, ledger, outbox, close: () => outbox.close() };
}
