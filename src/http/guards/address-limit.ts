import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';

export interface AddressLimit {
  /** Null when the address may go on; otherwise the seconds it must wait. */
  wait(ip: string): Promise<number | null>;
}

/**
 * Requests and WebSocket handshakes per address, counted in this process
 * (a Redis round trip per request would cost more than most requests). The
 * cheapest refusal comes first: a flood from one address is turned away
 * before its body is parsed or its token checked. Null spec: no limit.
 */
export function createAddressLimit(spec: { points: number; seconds: number } | null | undefined): AddressLimit {
  if (!spec || spec.points <= 0) return { wait: async () => null };
  const limiter = new RateLimiterMemory({ keyPrefix: 'requests', points: spec.points, duration: spec.seconds });
  return {
    async wait(ip) {
      try {
        await limiter.consume(ip);
        return null;
      } catch (res) {
        if (res instanceof RateLimiterRes) return Math.max(1, Math.ceil(res.msBeforeNext / 1000));
        throw res;
      }
    },
  };
}
