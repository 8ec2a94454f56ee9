import type { Redis } from 'ioredis';
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
export function createRateLimit(redis: Redis | null, { name, points, durationSeconds }: RateLimitOptions): RateLimit {
  const memory = new RateLimiterMemory({ keyPrefix: name, points, duration: durationSeconds });
  const limiter = redis
    ? new RateLimiterRedis({
        storeClient: redis,
        keyPrefix: `plaza:rl:${name}`,
        points,
        duration: durationSeconds,
        insuranceLimiter: memory,
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
