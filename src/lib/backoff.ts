import type { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { rateLimited } from './errors.ts';

export interface Backoff {
  /** Throws RATE_LIMITED (with retryAfterSeconds) while `key` is locked out. */
  check(key: string): Promise<void>;
  /** Counts a failure; past the free ones, locks `key` out for 1, 2, 4, … seconds up to the maximum. */
  fail(key: string): Promise<void>;
  /** Forgets the failures of `key` (after a success). */
  reset(key: string): Promise<void>;
}

export interface BackoffOptions {
  /** Namespace of the keys, e.g. `sign-in-account`. */
  name: string;
  /** Failures allowed before the first lock-out. */
  freeFailures: number;
  maxSeconds: number;
}

/** Failures are forgotten a day after the last one. */
const MEMORY_SECONDS = 24 * 3600;

/**
 * Exponential back-off after repeated failures (sign-in guessing), shared by
 * every instance through Redis when there is one. Two counters: failures,
 * kept a day, and the current lock-out.
 */
export function createBackoff(redis: Redis | null, { name, freeFailures, maxSeconds }: BackoffOptions): Backoff {
  const make = (suffix: string, points: number, duration: number): RateLimiterAbstract => {
    const memory = new RateLimiterMemory({ keyPrefix: `${name}:${suffix}`, points, duration });
    return redis
      ? new RateLimiterRedis({
          storeClient: redis,
          keyPrefix: `plaza:backoff:${name}:${suffix}`,
          points,
          duration,
          insuranceLimiter: memory,
        // While Redis is away, count here at once instead of waiting on its reconnection.
        rejectIfRedisNotReady: true,
        })
      : memory;
  };
  const failures = make('failures', Number.MAX_SAFE_INTEGER, MEMORY_SECONDS);
  const lock = make('lock', 1, 1);
  return {
    async check(key) {
      const res = await lock.get(key);
      if (res && res.consumedPoints > 1 && res.msBeforeNext > 0) {
        throw rateLimited(Math.max(1, Math.ceil(res.msBeforeNext / 1000)));
      }
    },
    async fail(key) {
      const res = await failures.penalty(key, 1);
      const over = res.consumedPoints - freeFailures;
      if (over > 0) await lock.block(key, Math.min(maxSeconds, 2 ** Math.min(over - 1, 30)));
    },
    async reset(key) {
      await Promise.all([failures.delete(key), lock.delete(key)]);
    },
  };
}
