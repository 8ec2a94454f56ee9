import type { Viewer } from './auth/viewer.ts';
import type { RateLimitName } from './rate-limit-settings.ts';
import type { RateLimitSet } from './lib/rate-limit.ts';
import { createLoaders, type Loaders } from './loaders.ts';
import type { Logger } from './logger.ts';
import type { Services } from './services.ts';

export type { Viewer };

/** What every resolver sees, per HTTP request or per WebSocket/SSE subscription. */
export interface Context {
  viewer: Viewer | null;
  /** The client's address (X-Forwarded-For only through TRUST_PROXY_HOPS proxies). */
  ip: string;
  /** An SSE client's `Last-Event-ID`: where a subscription without `after` resumes. */
  lastEventId: string | null;
  services: Services;
  rateLimits: RateLimitSet<RateLimitName>;
  logger: Logger;
  loaders: Loaders;
  /** Subscriptions resolve each event with emptied loaders, so no event sees stale rows. */
  freshLoaders(): Loaders;
}

export interface ContextDeps {
  services: Services;
  rateLimits: RateLimitSet<RateLimitName>;
  logger: Logger;
}

/** What the transport (HTTP, SSE or WebSocket) learnt of the caller before GraphQL runs. */
export interface Caller {
  viewer: Viewer | null;
  ip: string;
  lastEventId?: string | null;
}

export function createContext({ services, rateLimits, logger }: ContextDeps, { viewer, ip, lastEventId }: Caller): Context {
  const loaders = createLoaders(services, viewer?.id ?? null);
  return {
    viewer,
    ip,
    lastEventId: lastEventId ?? null,
    services,
    rateLimits,
    logger,
    loaders,
    // Clears the loaders in place: Yoga may hand resolvers a copy of this object.
    freshLoaders() {
      loaders.clearAll();
      return loaders;
    },
  };
}
