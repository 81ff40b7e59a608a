import { customerSignals } from './customer-signals';
import { EX_CONFIG, run } from './run';
import { startArchiveRole } from './archive';
import { systemClock } from '../app/system-clock';
import { LedgerStore } from '../store/ledger-store';
import { createRedis } from '../store/redis';
import { SendQueue } from '../jobs/send-queue';
import { ActivityStore } from '../store/activity-store';

/**
 * `npm run start:archive`: the chat-archive puller alone (the worker processes run it too; the lease lets one pull).
 * Without WECOM_ARCHIVE_SDK_PATH, or when the library or a key cannot be loaded, it says why in one line and exits.
 */
void run('archive', async (config, log) => {
  if (!config.archivePuller) {
    console.error('wecom-followup archive: set WECOM_ARCHIVE_SDK_PATH, WECOM_ARCHIVE_SECRET and WECOM_ARCHIVE_KEYS (README: 会话内容存档)');
    process.exit(EX_CONFIG);
  }
  const redis = createRedis(config.redis, 'general');
  const store = new LedgerStore(redis, config.redis.prefix, systemClock);
  const outbox = new SendQueue(redis, config.redis.prefix, { log, activity: new ActivityStore(redis, config.redis.prefix) });
  const signals = customerSignals(store, config.businessTz, config.policy.signals.competitors);
  const role = await startArchiveRole(config, log, { store, signals, outbox, clock: systemClock });
  if (!role) process.exit(EX_CONFIG);
  return [
    role,
    {
      async close() {
        await outbox.close();
        redis.disconnect();
      },
    },
  ];
});
