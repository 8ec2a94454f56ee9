import { loadConfig } from './config/index.ts';
import { createLogger } from './logger.ts';
import { startTracingIfSet, tracedLogging } from './observability/start.ts';

/**
 * `npm run worker`: a process that runs background jobs only, beside servers
 * started with RUN_WORKERS=false. It needs DATABASE_URL, and REDIS_URL for
 * its events to reach subscribers on the servers.
 */
const config = loadConfig();
const logger = createLogger(config.logLevel, tracedLogging(config.tracing)).child({ process: 'worker' });
for (const warning of config.warnings) logger.warn(warning);
if (!config.databaseUrl) {
  logger.error('a separate worker needs DATABASE_URL shared with the servers');
  process.exit(2);
}
// Before the modules that use pg and ioredis load (see main.ts).
const tracing = await startTracingIfSet(config.tracing, logger);
const { createRuntime } = await import('./runtime.ts');
const { startWorkers } = await import('./start-workers.ts');
const runtime = await createRuntime(config, logger);
const workers = await startWorkers(runtime);
logger.info('worker running');

const stop = async (signal: string) => {
  logger.info({ signal }, 'worker stopping');
  setTimeout(() => process.exit(1), 10_000).unref();
  await workers.stop();
  await runtime.stop();
  await tracing?.shutdown();
  process.exit(0);
};
process.once('SIGTERM', () => void stop('SIGTERM'));
process.once('SIGINT', () => void stop('SIGINT'));
