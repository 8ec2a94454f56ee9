import type { Cluster, Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { rateLimited } from './errors.ts';

export interface RateLimit {
  /** Spends one point for `key`; throws RATE_LIMITED (with retryAfterSeconds) when none are left. */
  consume(key: string): Promise<void>;
}

export interface RateLimitOptions {
  /** Namespace of the keys, e.g. `story-reactions`. */
  name: string;
  points: number;
  durationSeconds: number;
}

/**
 * A fixed-window limit, shared by every instance through Redis when there is
 * one; in-process otherwise. While Redis is unreachable each instance falls
 * back to counting on its own rather than refusing everything.
 */
export function createRateLimit(redis: Redis | Cluster | null, { name, points, durationSeconds }: RateLimitOptions): RateLimit {
  const memory = new RateLimiterMemory({ keyPrefix: name, points, duration: durationSeconds });
  const limiter = redis
    ? new RateLimiterRedis({
        storeClient: redis,
        keyPrefix: `plaza:rl:${name}`,
        points,
        duration: durationSeconds,
        insuranceLimiter: memory,
        // While Redis is away, count here at once instead of waiting on its reconnection.
        rejectIfRedisNotReady: true,
      })
    : memory;
  return {
    async consume(key) {
      try {
        await limiter.consume(key);
      } catch (res) {
        if (res instanceof RateLimiterRes) throw rateLimited(Math.max(1, Math.ceil(res.msBeforeNext / 1000)));
        throw res;
      }
    },
  };
}

export interface RateLimitSet<N extends string> {
  /** Spends one point of the named limit for `key`; a name without a limit (or limits off) costs nothing. */
  consume(name: N, key: string): Promise<void>;
}

/** Named limits built once; `null` specs (RATE_LIMIT_MULTIPLIER=0) turn them all off. A limit of 0 points is off. */
export function createRateLimitSet<N extends string>(
  redis: Redis | Cluster | null,
  specs: Record<N, { points: number; seconds: number }> | null,
): RateLimitSet<N> {
  const limits = new Map<string, RateLimit>();
  for (const [name, spec] of Object.entries(specs ?? {}) as Array<[N, { points: number; seconds: number }]>) {
    if (spec.points > 0) limits.set(name, createRateLimit(redis, { name, points: spec.points, durationSeconds: spec.seconds }));
  }
  return {
    async consume(name, key) {
      await limits.get(name)?.consume(key);
    },
  };
}
