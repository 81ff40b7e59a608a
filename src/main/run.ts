import { readEnvOptions } from '../config/env';
import { ConfigError } from '../config/errors';
import { createLogger, type Logger } from '../log';

/** Shared start-up for the entry points: config (fail fast, every problem listed), logger, graceful shutdown. */
export async function run(
  name: string,
  start: (config: ReturnType<typeof readEnvOptions>, log: Logger) => Promise<{ close(): Promise<void> }[]>,
): Promise<void> {
  let config;
  try {
    config = readEnvOptions(process.env);
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(`wecom-followup ${name}: ${err.message}`);
      process.exit(78); // EX_CONFIG
    }
    throw err;
  }
  const log = createLogger(config.logLevel).child({ process: name });
  const handles = await start(config, log);
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ reason: 'process.stopping', signal }, 'shutting down');
    await Promise.allSettled(handles.map((h) => h.close()));
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
  // A process forked by `npm start` (supervisor.ts) stops when its supervisor is gone, even if killed outright.
  if (process.send) process.on('disconnect', () => void stop('supervisor-gone'));
}
