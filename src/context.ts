import { createLoaders, type Loaders } from './loaders.ts';
import type { Logger } from './logger.ts';
import type { Realtime } from './realtime/pubsub.ts';
import type { Services } from './services.ts';

export interface Viewer {
  id: string;
}

/** What every resolver sees, per HTTP request or per WebSocket/SSE subscription. */
export interface Context {
  viewer: Viewer | null;
  services: Services;
  realtime: Realtime;
  logger: Logger;
  loaders: Loaders;
  /** Subscriptions resolve each event with emptied loaders, so no event sees stale rows. */
  freshLoaders(): Loaders;
}

export interface ContextDeps {
  services: Services;
  realtime: Realtime;
  logger: Logger;
}

export function createContext({ services, realtime, logger }: ContextDeps, viewer: Viewer | null): Context {
  const loaders = createLoaders(services, viewer?.id ?? null);
  return {
    viewer,
    services,
    realtime,
    logger,
    loaders,
    // Clears the loaders in place: Yoga may hand resolvers a copy of this object.
    freshLoaders() {
      loaders.clearAll();
      return loaders;
    },
  };
}
