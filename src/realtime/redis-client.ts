import { Redis } from 'ioredis';
import type { Logger } from '../logger.ts';

/** How every Plaza client of Redis behaves: commands fail fast while Redis is away instead of queueing without bound. */
export const redisOptions = {
  maxRetriesPerRequest: 2,
  retryStrategy: (times: number) => Math.min(times * 200, 2_000),
};

/** A Redis command connection, its errors and reconnections logged. */
export function createRedisClient(url: string, logger: Logger, name: string): Redis {
  const client = new Redis(url, { ...redisOptions, connectionName: name });
  const log = logger.child({ module: 'redis' });
  client.on('error', (err: Error) => log.warn({ err: err.message, client: name }, 'redis client error'));
  client.on('reconnecting', () => log.info({ client: name }, 'redis reconnecting'));
  return client;
}
