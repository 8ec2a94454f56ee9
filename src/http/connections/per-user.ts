import type { Cluster, Redis } from 'ioredis';
import type { Logger } from '../../logger.ts';

export interface UserConnectionLimiter {
  /** Takes one of the user's connection slots; false when they hold the maximum already. */
  acquire(userId: string, connectionId: string): Promise<boolean>;
  release(userId: string, connectionId: string): void;
  stop(): void;
}

export interface UserConnectionLimiterOptions {
  /** Shared counting across instances; null counts in this process. */
  redis: Redis | Cluster | null;
  /** 0 = no cap. */
  max: number;
  logger: Logger;
  /** How long a slot outlives an instance that died holding it; default 60 s. */
  leaseMs?: number;
}

// Drops the slots whose lease ran out (their instance died), then takes one if any is left.
const ACQUIRE = `
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[3]) then return 0 end
redis.call('ZADD', KEYS[1], ARGV[2], ARGV[4])
redis.call('PEXPIRE', KEYS[1], ARGV[5])
return 1`;

type Acquire = (key: string, now: number, until: number, max: number, member: string, leaseMs: number) => Promise<number>;

/**
 * Counts each user's open WebSockets and SSE streams across the cluster: one
 * sorted set per user in Redis whose members are leases renewed by the
 * instance holding them, so a SIGKILLed instance's slots free themselves.
 * While Redis is away each instance counts its own.
 */
export function createUserConnectionLimiter({
  redis,
  max,
  logger,
  leaseMs = 60_000,
}: UserConnectionLimiterOptions): UserConnectionLimiter {
  const held = new Map<string, Set<string>>();
  const keyOf = (userId: string) => `plaza:conns:${userId}`;
  const log = logger.child({ module: 'user-connections' });
  let acquire: Acquire | undefined;
  if (redis && max > 0) {
    redis.defineCommand('plazaAcquireConnection', { numberOfKeys: 1, lua: ACQUIRE });
    acquire = (redis as unknown as { plazaAcquireConnection: Acquire }).plazaAcquireConnection.bind(redis);
  }

  const renew = setInterval(() => {
    if (!redis || held.size === 0) return;
    const until = Date.now() + leaseMs;
    // A command per user, not one pipeline: on a Redis Cluster the users' keys live on different shards.
    const renewals: Promise<unknown>[] = [];
    for (const [userId, ids] of held) {
      renewals.push(redis.zadd(keyOf(userId), 'XX', ...[...ids].flatMap((id) => [until, id])), redis.pexpire(keyOf(userId), leaseMs));
    }
    Promise.all(renewals).catch((err: Error) => log.warn({ err: err.message }, 'connection leases not renewed'));
  }, leaseMs / 3);
  renew.unref();

  const remember = (userId: string, connectionId: string) => {
    const ids = held.get(userId) ?? new Set<string>();
    ids.add(connectionId);
    held.set(userId, ids);
  };

  return {
    async acquire(userId, connectionId) {
      if (max === 0) return true;
      // While Redis is away, count in this process at once instead of waiting on its reconnection.
      if (acquire && redis?.status === 'ready') {
        try {
          const now = Date.now();
          const granted = await acquire(keyOf(userId), now, now + leaseMs, max, connectionId, leaseMs);
          if (granted === 1) remember(userId, connectionId);
          return granted === 1;
        } catch (err) {
          log.warn({ err: (err as Error).message }, 'counting connections in this process while Redis is away');
        }
      }
      if ((held.get(userId)?.size ?? 0) >= max) return false;
      remember(userId, connectionId);
      return true;
    },
    release(userId, connectionId) {
      const ids = held.get(userId);
      if (!ids?.delete(connectionId)) return;
      if (ids.size === 0) held.delete(userId);
      redis?.zrem(keyOf(userId), connectionId).catch(() => {
        // The lease runs out by itself.
      });
    },
    stop() {
      clearInterval(renew);
    },
  };
}
