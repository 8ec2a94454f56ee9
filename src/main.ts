import cluster from 'node:cluster';
import { ConfigError, loadConfig } from './config/index.ts';
import { createLogger } from './logger.ts';
import { startTracingIfSet, tracedLogging } from './observability/start.ts';

const SHUTDOWN_DEADLINE_MS = 10_000;

async function main() {
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
  const logger = createLogger(config.logLevel, tracedLogging(config.tracing));
  for (const warning of config.warnings) logger.warn(warning);
  process.on('unhandledRejection', (reason) => logger.error({ err: reason }, 'unhandled rejection'));
  // PLAZA_PROCESSES > 1: this one forks and watches the processes that serve (each runs the rest of main).
  // Loaded on demand: the supervisor holds none of the server's code (its memory is the processes' less).
  if (config.processes > 1 && cluster.isPrimary) return (await import('./supervisor.ts')).superviseProcesses(config, logger);
  // Before the server's modules load: the instrumentations patch pg and ioredis as they are first loaded.
  const tracing = await startTracingIfSet(config.tracing, logger);
  const { startApp } = await import('./app.ts');

  const app = await startApp(config, logger);

  const shutdown = (signal: string) => {
    logger.info({ signal }, 'shutting down');
    setTimeout(() => {
      logger.error('shutdown took too long; exiting');
      process.exit(1);
    }, SHUTDOWN_DEADLINE_MS).unref();
    app
      .stop()
      .then(() => tracing?.shutdown())
      .then(
        () => {
          logger.info('shutdown complete');
          process.exit(0);
        },
        (err: unknown) => {
          logger.error({ err }, 'shutdown failed');
          process.exit(1);
        },
      );
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
}

main().catch((err: unknown) => {
  process.stderr.write(`plaza failed to start: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
