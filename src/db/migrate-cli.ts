import { loadConfig } from '../config/index.ts';
import { createLogger } from '../logger.ts';
import { runMigrations } from './migrate.ts';

// `npm run db:migrate`: applies drizzle/ to DATABASE_URL (servers also do this on start).
const config = loadConfig();
const logger = createLogger(config.logLevel);
if (!config.databaseUrl) {
  logger.error('DATABASE_URL is not set; the embedded database migrates itself on `npm start`');
  process.exit(2);
}
await runMigrations(config.databaseUrl, logger);
