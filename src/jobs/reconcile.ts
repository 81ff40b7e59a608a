import { Queue, Worker } from 'bullmq';
import type Redis from 'ioredis';
import type { Ledger } from '../app/ledger';
import type { CustomerDirectory } from '../app/ports';
import type { Clock } from '../domain/clock';
import type { Logger } from '../log';
import { bullPrefix, QUEUES } from './names';

export interface ReconcileReport {
  groupsChecked: number;
  groupsFixed: number;
  customersChecked: number;
  leadsCreated: number;
  /** Index memberships added or removed to make the indexes agree with the leads. */
  indexesRepaired: number;
}

/**
 * WeCom loses some callbacks. Nightly, re-read every customer group (groupchat/list + get) and every rep's customers
 * (externalcontact/list) and make the ledger agree, then make the indexes agree with the leads, logging what had to
 * be fixed.
 */
export async function reconcile(deps: { ledger: Ledger; directory: CustomerDirectory; clock: Clock; log: Logger }): Promise<ReconcileReport> {
  const report: ReconcileReport = { groupsChecked: 0, groupsFixed: 0, customersChecked: 0, leadsCreated: 0, indexesRepaired: 0 };
  const { ledger, directory, log } = deps;
  for (const owner of await ledger.store.owners()) {
    for (const ext of await directory.listCustomerIds(owner)) {
      report.customersChecked++;
      if (await ledger.store.getLead(ext)) continue;
      const profile = await directory.getCustomer(ext);
      const follower = profile?.followers.find((f) => f.userId === owner);
      await ledger.customerAdded({
        externalUserId: ext,
        userId: owner,
        state: follower?.state,
        at: follower?.addedAt ?? deps.clock.now(),
        entryId: `added:reconcile:${ext}:${owner}`,
        source: 'reconcile',
        profile,
      });
      report.leadsCreated++;
      log.warn({ reason: 'reconcile.lead_created', externalUserId: ext, owner }, 'a customer the callbacks never told us about');
    }
  }
  for (const chatId of await directory.listGroupIds()) {
    report.groupsChecked++;
    const res = await ledger.syncGroup(chatId);
    if (res.changed) {
      report.groupsFixed++;
      log.warn({ reason: 'reconcile.group_fixed', chatId, bound: res.bound, unbound: res.unbound }, 'group membership repaired');
    }
  }
  const idx = await ledger.store.repairIndexes();
  report.indexesRepaired = idx.added + idx.removed;
  if (report.indexesRepaired > 0) log.warn({ reason: 'reconcile.indexes_repaired', ...idx }, 'indexes disagreed with the leads and were repaired');
  log.info({ reason: 'reconcile.done', ...report }, 'nightly reconciliation finished');
  return report;
}

/** Upserts the nightly job scheduler (idempotent across restarts and processes) and runs its worker. */
export async function startReconcileWorker(deps: {
  connection: Redis;
  redisPrefix: string;
  cron: string;
  timeZone: string;
  run: () => Promise<ReconcileReport>;
  log: Logger;
  schedulers?: boolean;
}): Promise<{ queue: Queue; worker: Worker }> {
  const queue = new Queue(QUEUES.reconcile, { connection: deps.connection, prefix: bullPrefix(deps.redisPrefix) });
  queue.on('error', () => undefined);
  if (deps.schedulers !== false) await queue.upsertJobScheduler('nightly-reconcile', { pattern: deps.cron, tz: deps.timeZone }, { name: 'reconcile', opts: { attempts: 3, backoff: { type: 'exponential', delay: 60_000 }, removeOnComplete: 30, removeOnFail: 30 } });
  const worker = new Worker(QUEUES.reconcile, async () => deps.run(), { connection: deps.connection, prefix: bullPrefix(deps.redisPrefix), concurrency: 1 });
  worker.on('failed', (job, err) => deps.log.error({ reason: 'reconcile.failed', attempt: job?.attemptsMade, err: err.message }, 'reconciliation failed'));
  worker.on('error', (err) => deps.log.error({ reason: 'reconcile.worker_error', err: err.message }, 'reconcile worker error'));
  return { queue, worker };
}
