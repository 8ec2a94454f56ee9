import { loadConfig } from './config/index.ts';
import { createLogger } from './logger.ts';
import { startWorkers } from './start-workers.ts';
import { createRuntime } from './runtime.ts';

/**
 * `npm run worker`: a process that runs background jobs only, beside servers
 * started with RUN_WORKERS=false. It needs DATABASE_URL, and REDIS_URL for
 * its events to reach subscribers on the servers.
 */
const config = loadConfig();
const logger = createLogger(config.logLevel).child({ process: 'worker' });
for (const warning of config.warnings) logger.warn(warning);
if (!config.databaseUrl) {
  logger.error('a separate worker needs DATABASE_URL shared with the servers');
  process.exit(2);
}
const runtime = await createRuntime(config, logger);
const workers = await startWorkers(runtime);
logger.info('worker running');

const stop = async (signal: string) => {
  logger.info({ signal }, 'worker stopping');
  setTimeout(() => process.exit(1), 10_000).unref();
  await workers.stop();
  await runtime.stop();
  process.exit(0);
};
process.once('SIGTERM', () => void stop('SIGTERM'));
process.once('SIGINT', () => void stop('SIGINT'));
