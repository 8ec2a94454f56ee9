import type DataLoader from 'dataloader';
import { allModules, type ModuleLoaders } from './modules/index.ts';
import type { LoaderFactory } from './modules/module.ts';
import type { Services } from './services.ts';

/** The loaders one request (or subscription) holds, made on first use; `clearAll` empties them for the next event. */
export type LoaderSet = ModuleLoaders & { clearAll(): void };

/**
 * One class for every module's loaders: a getter per loader on its
 * prototype, so an idle subscription's unused set costs two fields, and each
 * loader is made on first use (whatever the page size, each kind of row is
 * read in one statement).
 */
class Loaders {
  readonly services: Services;
  readonly viewerId: string | null;
  made: Record<string, DataLoader<any, any, string>> = {};
  constructor(services: Services, viewerId: string | null) {
    this.services = services;
    this.viewerId = viewerId;
  }
  clearAll(): void {
    for (const loader of Object.values(this.made)) loader.clearAll();
  }
}
for (const module of allModules) {
  for (const [name, make] of Object.entries((module.loaders ?? {}) as Record<string, LoaderFactory>)) {
    Object.defineProperty(Loaders.prototype, name, {
      get(this: Loaders) {
        return (this.made[name] ??= make(this.services, this.viewerId));
      },
    });
  }
}

export function createLoaders(services: Services, viewerId: string | null): LoaderSet {
  return new Loaders(services, viewerId) as unknown as LoaderSet;
}

declare module './graphql/context.ts' {
  /** Resolvers batch their reads through these (`ctx.loaders`). */
  interface ContextLoaders extends LoaderSet {}
}
