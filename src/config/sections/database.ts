import { z } from 'zod';
import { bool, commaList, int, optionalUrl, section } from '../section.ts';

/** PostgreSQL. */
export const database = section({
  DATABASE_URL: optionalUrl(['postgres:', 'postgresql:']).describe('`postgres://…`; without it an embedded PostgreSQL runs under DATA_DIR'),
  DATABASE_POOL_SIZE: int(1).default(10).describe('PostgreSQL connections per process'),
  DATABASE_PREPARED_STATEMENTS: bool
    .default(true)
    .describe('Send the statements used often as named prepared statements (parsed and planned once per connection); false behind a pooler in transaction mode that cannot carry them (PgBouncer before 1.21)'),
});

/** host:port, a node of a Redis Cluster. */
const clusterNode = /^[A-Za-z0-9.-]+:\d{1,5}$|^\[[0-9a-fA-F:]+\]:\d{1,5}$/;

/** Redis: one server (REDIS_URL) or a Redis Cluster (REDIS_CLUSTER_NODES), or neither. */
export const redis = section(
  {
    REDIS_URL: optionalUrl(['redis:', 'rediss:']).describe('`redis://…`; without it (and without REDIS_CLUSTER_NODES) pub/sub stays in this process (one instance)'),
    REDIS_CLUSTER_NODES: z
      .string()
      .trim()
      .refine((v) => commaList(v).length > 0 && commaList(v).every((node) => clusterNode.test(node)), 'must be host:port,host:port,…')
      .optional()
      .describe('Instead of REDIS_URL: some nodes of a Redis Cluster (`host:port,host:port,…`, the rest are discovered); events go over sharded pub/sub (Redis 7)'),
  },
  {
    derive: ({ url, clusterNodes }) => ({
      redisUrl: url,
      /** Where Redis is, if anywhere: one server or a cluster's seed nodes. */
      redis: clusterNodes ? { clusterNodes: commaList(clusterNodes) } : url ? { url } : null,
    }),
    prefix: 'REDIS_',
  },
);
