import { bool, int, optionalUrl, section } from '../section.ts';

/** PostgreSQL. */
export const database = section({
  DATABASE_URL: optionalUrl(['postgres:', 'postgresql:']).describe('`postgres://…`; without it an embedded PostgreSQL runs under DATA_DIR'),
  DATABASE_POOL_SIZE: int(1).default(10).describe('PostgreSQL connections per process'),
  DATABASE_PREPARED_STATEMENTS: bool
    .default(true)
    .describe('Send the statements used often as named prepared statements (parsed and planned once per connection); false behind a pooler in transaction mode that cannot carry them (PgBouncer before 1.21)'),
});

/** Redis. */
export const redis = section({
  REDIS_URL: optionalUrl(['redis:', 'rediss:']).describe('`redis://…`; without it pub/sub stays in this process (one instance)'),
});
