import type { Clock } from '../domain/clock';
import type { Logger } from '../log';
import type { Ledger } from './ledger';
import type { CustomerDirectory, LedgerRepository, ReconcileReport } from './ports';

/**
 * WeCom loses some callbacks. Nightly, re-read every customer group (groupchat/list + get) and every rep's customers
 * (externalcontact/list) and make the ledger agree, then make the indexes agree with the leads, logging what had to
 * be fixed.
 */
export async function reconcile(deps: {
  store: LedgerRepository;
  ledger: Ledger;
  directory: CustomerDirectory;
  clock: Clock;
  log: Logger;
}): Promise<ReconcileReport> {
  const report: ReconcileReport = { groupsChecked: 0, groupsFixed: 0, customersChecked: 0, leadsCreated: 0, indexesRepaired: 0 };
  const { store, ledger, directory, log } = deps;
  for (const owner of await store.owners()) {
    for (const ext of await directory.listCustomerIds(owner)) {
      report.customersChecked++;
      if (await store.getLead(ext)) continue;
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
  const idx = await store.repairIndexes();
  report.indexesRepaired = idx.added + idx.removed;
  if (report.indexesRepaired > 0) log.warn({ reason: 'reconcile.indexes_repaired', ...idx }, 'indexes disagreed with the leads and were repaired');
  log.info({ reason: 'reconcile.done', ...report }, 'nightly reconciliation finished');
  return report;
}
