import type { Viewer } from './auth/viewer.ts';
import type { Context } from './graphql/context.ts';
import type { RateLimitName } from './config/sections/rate-limits.ts';
import type { RateLimitSet } from './lib/rate-limiter.ts';
import { createLoaders } from './loaders.ts';
import type { Logger } from './logger.ts';
import type { Services } from './services.ts';

export type { Viewer };

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
