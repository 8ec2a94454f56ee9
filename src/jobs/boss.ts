import { PgBoss } from 'pg-boss';
import type { Logger } from '../logger.ts';
import { loggedPreparingClient } from '../db/prepared.ts';

/**
 * pg-boss in the application's database (schema `pgboss`), with LISTEN/NOTIFY
 * so a worker wakes the moment a job commits instead of at its next poll.
 */
export interface BossOptions {
  /** How soon a job whose worker died is noticed (expired) and retried: both gates of that check. */
  superviseIntervalSeconds?: number;
  /** pg-boss's statements as named prepared statements (db/prepared.ts). */
  prepare?: boolean;
}

export async function startBoss(databaseUrl: string, logger: Logger, { superviseIntervalSeconds = 60, prepare = true }: BossOptions = {}): Promise<PgBoss> {
  const log = logger.child({ module: 'jobs' });
  const boss = new PgBoss({
    connectionString: databaseUrl,
    schema: 'pgboss',
    useListenNotify: true,
    max: 4,
    ...(prepare ? { Client: loggedPreparingClient(log, 'jobs') } : {}),
    application_name: 'plaza-jobs',
    superviseIntervalSeconds,
    monitorIntervalSeconds: superviseIntervalSeconds,
  });
  boss.on('error', (err) => log.error({ err }, 'job queue error'));
  boss.on('warning', (warning) => log.warn({ warning }, 'job queue warning'));
  await boss.start();
  return boss;
}
