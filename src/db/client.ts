import { drizzle, type NodePgDatabase } from 'drizzle-orm/node-postgres';
import pg from 'pg';
import type { Logger } from '../logger.ts';
import { loggedPreparingClient } from './prepared.ts';
export type Database = NodePgDatabase;
/** A database handle or an open transaction: services accept either. */
export type Executor = Database | Parameters<Parameters<Database['transaction']>[0]>[0];

export interface DbHandle {
  db: Database;
  pool: pg.Pool;
  /** Statements sent since start; tests use it to hold feeds to a fixed count. */
  statementCount(): number;
  close(): Promise<void>;
}

export interface DbOptions {
  url: string;
  poolSize: number;
  /** Named prepared statements for the statements used often (prepared.ts). */
  prepare: boolean;
  logger: Logger;
}

export function createDb({ url, poolSize, prepare, logger }: DbOptions): DbHandle {
  const pool = new pg.Pool({ connectionString: url, max: poolSize, connectionTimeoutMillis: 10_000, ...(prepare ? { Client: loggedPreparingClient(logger, 'plaza') } : {}) });
  // An idle client losing its server (Postgres restarting) must not crash the process.
  pool.on('error', (err) => logger.warn({ err }, 'idle database client failed'));
  let statements = 0;
  const db = drizzle({
    client: pool,
    logger: {
      logQuery() {
        statements += 1;
      },
    },
  });
  let closed = false;
  return {
    db,
    pool,
    statementCount: () => statements,
    async close() {
      if (closed) return;
      closed = true;
      await pool.end();
    },
  };
}
