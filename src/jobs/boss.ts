import { PgBoss } from 'pg-boss';
import type { Logger } from '../logger.ts';

/**
 * pg-boss in the application's database (schema `pgboss`), with LISTEN/NOTIFY
 * so a worker wakes the moment a job commits instead of at its next poll.
 */
export async function startBoss(databaseUrl: string, logger: Logger, superviseIntervalSeconds = 60): Promise<PgBoss> {
  const log = logger.child({ module: 'jobs' });
  const boss = new PgBoss({
    connectionString: databaseUrl,
    schema: 'pgboss',
    useListenNotify: true,
    max: 4,
    application_name: 'plaza-jobs',
    // How soon a job whose worker died is noticed (expired) and retried: both gates of that check.
    superviseIntervalSeconds,
    monitorIntervalSeconds: superviseIntervalSeconds,
  });
  boss.on('error', (err) => log.error({ err }, 'job queue error'));
  boss.on('warning', (warning) => log.warn({ warning }, 'job queue warning'));
  await boss.start();
  return boss;
}
