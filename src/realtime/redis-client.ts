import { Cluster, Redis } from 'ioredis';
import type { Logger } from '../logger.ts';

/** Where Redis is: one server, or the seed nodes of a Redis Cluster (`host:port`). */
export type RedisTarget = { url: string } | { clusterNodes: string[] };

/** A connection to either: ioredis gives both the same commands. */
export type RedisClient = Redis | Cluster;

/** How every Plaza client of Redis behaves: commands fail fast while Redis is away instead of queueing without bound. */
export const redisOptions = {
  maxRetriesPerRequest: 2,
  retryStrategy: (times: number) => Math.min(times * 200, 2_000),
};

/**
 * A client of `target` named `name` (CLIENT SETNAME). For a cluster, the
 * nodes' own connections get the same options, MOVED and failovers are
 * followed by ioredis, and `sharded` adds a subscriber per master for
 * SSUBSCRIBE. `autoResubscribe: false`: a single server's client does not
 * subscribe again by itself after a reconnect, its owner does (ioredis 5 leaves
 * that SUBSCRIBE's failure unhandled and then forgets the channels: redis/ioredis#2187);
 * a cluster's client keeps its own.
 */
export function connectRedis(
  target: RedisTarget,
  name: string,
  extra: { sharded?: boolean; offlineQueue?: boolean; autoResubscribe?: boolean } = {},
): RedisClient {
  const options = { ...redisOptions, connectionName: name, ...(extra.offlineQueue === false ? { enableOfflineQueue: false } : {}) };
  if ('url' in target) return new Redis(target.url, extra.autoResubscribe === false ? { ...options, autoResubscribe: false } : options);
  return new Cluster(target.clusterNodes, {
    redisOptions: options,
    shardedSubscribers: extra.sharded === true,
    clusterRetryStrategy: (times: number) => Math.min(times * 200, 2_000),
    // A failed node's slots move to its promoted replica: look again soon rather than every 5 s.
    slotsRefreshInterval: 1_000,
    enableOfflineQueue: extra.offlineQueue !== false,
  });
}

export const isCluster = (client: RedisClient): client is Cluster => client instanceof Cluster;

/** A Redis command connection, its errors and reconnections logged. */
export function createRedisClient(target: RedisTarget, logger: Logger, name: string): RedisClient {
  const client = connectRedis(target, name);
  const log = logger.child({ module: 'redis' });
  client.on('error', (err: Error) => log.warn({ err: err.message, client: name }, 'redis client error'));
  client.on('reconnecting', () => log.info({ client: name }, 'redis reconnecting'));
  return client;
}
