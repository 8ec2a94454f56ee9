import { channelsModule } from './channels/index.ts';
import { chatModule } from './chat/index.ts';
import { linksModule } from './links/index.ts';
import { notificationsModule } from './notifications/index.ts';
import type { LoaderFactory, PlazaModule } from './module.ts';
import { postsModule } from './posts/index.ts';
import { reactionsModule } from './reactions/index.ts';
import { reportsModule } from './reports/index.ts';
import { searchModule } from './search/index.ts';
import { sectionsModule } from './sections/index.ts';
import { sessionsModule } from './sessions/index.ts';
import { storiesModule } from './stories/index.ts';
import { usersModule } from './users/index.ts';
import { webhooksModule } from './webhooks/index.ts';

/**
 * The one list of modules the app is made of, in the order their services
 * are made (a module may use those of the modules before it). Adding a
 * module is its folder and one line here.
 */
export const modules = [sessionsModule, usersModule, sectionsModule, notificationsModule, linksModule, postsModule, reactionsModule, reportsModule, storiesModule, channelsModule, chatModule, webhooksModule, searchModule] as const;

type AnyModule = PlazaModule<any, any, any>;
type UnionToIntersection<U> = (U extends unknown ? (x: U) => void : never) extends (x: infer I) => void ? I : never;
type Each = (typeof modules)[number];

/** Every service of every module (`ctx.services`). */
export type ModuleServices = UnionToIntersection<Each extends { services?: (...args: any[]) => infer S } ? (S extends object ? S : never) : never>;
/** Every topic of every module. */
export type ModuleTopics = UnionToIntersection<Each extends { topics?: infer T } ? NonNullable<T> : never>;
type LoaderFactories = UnionToIntersection<Each extends { loaders?: infer L } ? NonNullable<L> : never>;
/** Every loader of every module, by name (`ctx.loaders`). */
export type ModuleLoaders = { [K in keyof LoaderFactories]: LoaderFactories[K] extends LoaderFactory ? ReturnType<LoaderFactories[K]> : never };

export const allModules: readonly AnyModule[] = modules;
