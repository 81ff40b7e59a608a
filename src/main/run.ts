import { readEnvOptions, type Config } from '../config/env';
import { ConfigError } from '../config/errors';
import { createLogger, type Logger } from '../log';

/** Exit code of a process whose configuration is wrong: restarting it cannot help. */
export const EX_CONFIG = 78;

/** The configuration and a logger for one entry point; a bad configuration ends the process, every problem listed. */
export function configOrExit(name: string): { config: Config; log: Logger } {
  try {
    const config = readEnvOptions(process.env);
    return { config, log: createLogger(config.logLevel).child({ process: name }) };
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    console.error(`wecom-followup ${name}: ${err.message}`);
    process.exit(EX_CONFIG);
  }
}

/** Shared start-up for the entry points: config (fail fast, every problem listed), logger, graceful shutdown. */
export async function run(name: string, start: (config: Config, log: Logger) => Promise<{ close(): Promise<void> }[]>): Promise<void> {
  const { config, log } = configOrExit(name);
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
