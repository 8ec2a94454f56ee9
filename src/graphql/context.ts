import type { Viewer } from '../auth/viewer.ts';
import type { RateLimitSet } from '../lib/rate-limiter.ts';
import type { Logger } from '../logger.ts';
import type { RateLimitName } from '../config/sections/rate-limits.ts';

/*
 * The services and the loaders resolvers reach are declared by the files that
 * make them, above the modules (services.ts, loaders.ts, with `declare module`
 * on this file): the builder and this floor name no module, and resolvers see
 * each service's own type.
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- filled in by services.ts
export interface ContextServices {}
export interface ContextLoaders {
  /** Forgets every cached row, for the next subscription event. */
  clearAll(): void;
}

/** What every resolver sees, per HTTP request or per WebSocket/SSE subscription. */
export interface Context {
  viewer: Viewer | null;
  /** The client's address (X-Forwarded-For only through TRUST_PROXY_HOPS proxies). */
  ip: string;
  /** An SSE client's `Last-Event-ID`: where a subscription without `after` resumes. */
  lastEventId: string | null;
  services: ContextServices;
  rateLimits: RateLimitSet<RateLimitName>;
  logger: Logger;
  loaders: ContextLoaders;
  /** Subscriptions resolve each event with emptied loaders, so no event sees stale rows. */
  freshLoaders(): ContextLoaders;
}
