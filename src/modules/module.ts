import type DataLoader from 'dataloader';
import type { Cluster, Redis } from 'ioredis';
import type { PgBoss } from 'pg-boss';
import type { TokenService } from '../auth/tokens.ts';
import type { Config } from '../config/index.ts';
import type { Database } from '../db/client.ts';
import type { Logger } from '../logger.ts';
import type { Metrics } from '../observability/metrics.ts';
import type { Outbox, TopicMap } from '../realtime/outbox.ts';
import type { PresenceRooms } from '../realtime/presence.ts';
import type { Streams } from '../realtime/streams.ts';

/** What every module is built from: the parts a process shares. */
export interface ModuleDeps {
  config: Config;
  logger: Logger;
  db: Database;
  /** Where services record their events, in their own transactions. */
  outbox: Outbox<any>;
  /** What their `watch…` methods stream from. */
  streams: Streams<any>;
  /** The process's Redis command client (shared counters: rate limits, back-off); null in-process. */
  redis: Redis | Cluster | null;
  boss: PgBoss;
  tokens: TokenService;
  presence: PresenceRooms;
  metrics: Metrics;
}

/** A batch loader, made on first use in each request (or subscription event) over every service. */
export type LoaderFactory = (services: any, viewerId: string | null) => DataLoader<any, any, string>;

/** What a module's workers run on: its deps, and every service. */
export interface WorkerDeps extends ModuleDeps {
  services: any;
}

/**
 * One domain module, declared in its own `index.ts`: what it brings to the
 * process. Listed once in `modules/index.ts`; the root reads that list for
 * services, loaders, topics, queues and workers. Importing a module's index
 * also registers its GraphQL types on the builder (Pothos's way; nothing
 * connects). Tables are drizzle-kit's to find (`modules/*\/tables.ts`).
 */
export interface PlazaModule<S extends object, L extends Record<string, LoaderFactory>, T extends TopicMap> {
  name: string;
  /** Its real-time topics, by type only (events.ts declares them): `topics<PostTopics>()`. */
  topics?: T;
  /** Its services, made once per process. `earlier`: the services of the modules listed before it. */
  services?(deps: ModuleDeps, earlier: any): S;
  /** Its batch loaders, by the name resolvers use (`ctx.loaders.<name>`). */
  loaders?: L;
  /** Its queues and schedules, created at every start (idempotent). */
  queues?(boss: PgBoss, config: Config): Promise<void>;
  /** The queues whose depth /metrics reports. */
  queueNames?: readonly string[];
  /** Its background workers, in a process that runs them; stopped in reverse order. */
  workers?(deps: WorkerDeps): Promise<{ stop(): Promise<void> }>;
  /** What every instance that serves clients follows while it serves (the cluster-wide streams that end subscriptions); stopped at its end. */
  serving?(deps: WorkerDeps): { stop(): Promise<void> };
  /** What must be done before the process's queue connection closes (jobs of posts just committed). */
  flush?(services: any): Promise<void>;
}

// What a module does not bring is `never`, so it adds nothing to the unions the registry merges.
export function defineModule<S extends object = never, L extends Record<string, LoaderFactory> = never, T extends TopicMap = never>(
  module: PlazaModule<S, L, T>,
): PlazaModule<S, L, T> {
  return module;
}

/** A module's topics, as a type carried by no value. */
export const topics = <T extends TopicMap>(): T => undefined as unknown as T;
