import { allModules, type ModuleServices } from './modules/index.ts';
import type { ModuleDeps } from './modules/module.ts';

export type Services = ModuleServices;

/** Every module's services, made once per process, in the registry's order. */
export function createServices(deps: ModuleDeps): Services {
  const services: Record<string, unknown> = {};
  for (const module of allModules) Object.assign(services, module.services?.(deps, services));
  return services as Services;
}

declare module './graphql/context.ts' {
  /** Resolvers reach every service (`ctx.services`). */
  interface ContextServices extends Services {}
}
