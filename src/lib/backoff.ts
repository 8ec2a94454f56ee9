import type { Cluster, Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { rateLimited } from './errors.ts';

/** One attempt under a back-off, counted as a failure from its start. */
export interface Attempt {
  /** It succeeded: its failure is taken back. `forget`: every failure of the key is (an account proved its owner). */
  succeeded(options?: { forget?: boolean }): Promise<void>;
}

export interface Backoff {
  /**
   * Starts an attempt for `key`: counts it as a failure at once, before
   * anything is checked, so attempts made at the same moment see each other.
   * Throws RATE_LIMITED (with retryAfterSeconds) while `key` is locked out;
   * past the free failures each attempt locks the key out for 1, 2, 4, …
   * seconds up to the maximum, the others made meanwhile refused.
   */
  begin(key: string): Promise<Attempt>;
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

const refusal = (res: RateLimiterRes) => rateLimited(Math.max(1, Math.ceil(res.msBeforeNext / 1000)));

/**
 * Exponential back-off after repeated failures (sign-in guessing), shared by
 * every instance through Redis when there is one. Two counters: failures,
 * kept a day, and the current lock-out, taken by one attempt at a time
 * (each an atomic step in Redis): twelve wrong passwords sent at once are
 * not twelve checked ones.
 */
export function createBackoff(redis: Redis | Cluster | null, { name, freeFailures, maxSeconds }: BackoffOptions): Backoff {
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
  // Taken (one point) by the attempt that starts a lock-out; anyone else within it is refused.
  const lock = make('lock', 1, 1);
  return {
    async begin(key) {
      const held = await lock.get(key);
      if (held && held.consumedPoints >= 1 && held.msBeforeNext > 0) throw refusal(held);
      const counted = await failures.penalty(key, 1);
      const over = counted.consumedPoints - freeFailures;
      let locked = false;
      if (over > 0) {
        try {
          await lock.consume(key, 1, { customDuration: Math.min(maxSeconds, 2 ** Math.min(over - 1, 30)) });
          locked = true;
        } catch (res) {
          if (!(res instanceof RateLimiterRes)) throw res;
          // Another attempt took the lock-out first: this one is refused and not counted.
          await failures.reward(key, 1);
          throw refusal(res);
        }
      }
      return {
        async succeeded({ forget = false } = {}) {
          if (forget) return void (await Promise.all([failures.delete(key), lock.delete(key)]));
          await Promise.all([failures.reward(key, 1), locked ? lock.delete(key) : null]);
        },
      };
    },
  };
}
