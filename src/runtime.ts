import { sql } from 'drizzle-orm';
import { resolveJwtSecret } from './auth/secret.ts';
import { createTokenService, type TokenService } from './auth/tokens.ts';
import { createViewerResolver, type ViewerResolver } from './auth/viewer.ts';
import type { Config } from './config/index.ts';
import type { RateLimitName } from './config/sections/rate-limits.ts';
import { createRateLimitSet, type RateLimitSet } from './lib/rate-limiter.ts';
import { createDb, type DbHandle } from './db/client.ts';
import { type EmbeddedDatabase, startEmbeddedPostgres } from './db/embedded.ts';
import { runMigrations } from './db/migrate.ts';
import { startBoss } from './jobs/boss.ts';
import type { Logger } from './logger.ts';
import { allModules } from './modules/index.ts';
import { scheduleEventPruning } from './jobs/prune-events.ts';
import type { PgBoss } from 'pg-boss';
import type { Broker } from './realtime/broker.ts';
import { createNotifyBroker } from './realtime/notify-broker.ts';
import { createRedisBroker } from './realtime/redis-broker.ts';
import { createRedisClient } from './realtime/redis-client.ts';
import type { Cluster, Redis } from 'ioredis';
import { collectOnScrape } from './observability/collectors.ts';
import { createMetrics, type Metrics } from './observability/metrics.ts';
import { createMemoryPresenceStore, createNoPresenceStore } from './realtime/memory-presence.ts';
import { createPresenceRooms, type PresenceRooms } from './realtime/presence.ts';
import { createRedisPresenceStore } from './realtime/redis-presence.ts';
import { createOutbox, type Outbox } from './realtime/outbox.ts';
import { type Relay, startRelay } from './realtime/relay.ts';
import { createStreams, type Streams } from './realtime/streams.ts';
import { createServices, type Services } from './services.ts';
import type { Topics } from './topics.ts';

/** Everything a server or worker process shares: database, events, services. */
export interface Runtime {
  config: Config;
  logger: Logger;
  database: DbHandle;
  databaseUrl: string;
  /** Recorded events (the transactional outbox). */
  outbox: Outbox<Topics>;
  /** Live fan-out: Redis pub/sub or in-process. */
  broker: Broker<Topics>;
  /** The process's Redis command client, shared by the broker's publishing, rate limits and connection caps; null in-process. */
  redis: Redis | Cluster | null;
  /** Moves the outbox to Redis (one leader in the cluster); null without Redis. */
  relay: Relay;
  /** Ordered, gap-free, resumable streams for subscribers. */
  streams: Streams<Topics>;
  tokens: TokenService;
  /** Bearer token -> viewer, revocation included. */
  viewers: ViewerResolver;
  services: Services;
  rateLimits: RateLimitSet<RateLimitName>;
  boss: PgBoss;
  /** Who has each live channel open, across the cluster. */
  presence: PresenceRooms;
  metrics: Metrics;
  checkReadiness(): Promise<void>;
  /** Drains jobs, then closes pub/sub, the pool and an embedded database, in that order. */
  stop(): Promise<void>;
}

export async function createRuntime(config: Config, logger: Logger): Promise<Runtime> {
  let embedded: EmbeddedDatabase | undefined;
  let databaseUrl = config.databaseUrl;
  if (!databaseUrl) {
    embedded = await startEmbeddedPostgres(config.dataDir, logger, { rootDir: config.embeddedPostgresRootDir });
    databaseUrl = embedded.url;
  }
  logger.info(
    { database: embedded ? 'embedded' : 'external', pubsub: !config.redis ? 'in-process' : 'url' in config.redis ? 'redis' : 'redis-cluster' },
    'runtime mode',
  );
  await runMigrations(databaseUrl, logger);
  const database = createDb({ url: databaseUrl, poolSize: config.databasePoolSize, prepare: config.databasePreparedStatements, logger });
  const metrics = createMetrics();
  const redis = config.redis ? createRedisClient(config.redis, logger, 'plaza') : null;
  const broker: Broker<Topics> = config.redis && redis
    ? createRedisBroker<Topics>(config.redis, redis, logger)
    : createNotifyBroker<Topics>(databaseUrl, logger);
  const outbox = createOutbox<Topics>(database.db, {
    // With Redis, a writer publishes its events right after numbering them (the relay catches what it misses);
    // without, the sequencer's NOTIFY is the broker.
    afterCommit:
      broker.mode === 'redis'
        ? (event) =>
            void broker.publish(event.topic as keyof Topics & string, event.key, { seq: event.seq, payload: event.payload as Topics[keyof Topics], trace: event.trace }).catch(
              (err: Error) => logger.debug({ err: err.message, topic: event.topic }, 'publish after commit failed; the relay will'),
            )
        : undefined,
    onNumbered: (topic, count) => metrics.eventsPublished.inc({ topic }, count),
    logger,
  });
  const streams = createStreams<Topics>({
    broker,
    outbox,
    logger,
    maxQueuedEvents: config.limits.maxQueuedEventsPerSubscription,
    replayCacheBytes: config.limits.replayCacheBytes,
    onDelivered: (topic, count) => metrics.eventsDelivered.inc({ topic }, count),
  });
  // The relay numbers what writers did not (killed after COMMIT); with Redis, it also publishes what they
  // did not (killed before publishing, Redis away). Without, the sequencer's NOTIFY is the broker.
  const relay = startRelay({ databaseUrl, broker, logger, publishing: broker.mode === 'redis' });
  if (broker.mode === 'in-process') await broker.whenReady();
  const tokens = createTokenService(await resolveJwtSecret(config), config.jwtTtlSeconds);
  const boss = await startBoss(databaseUrl, logger, { superviseIntervalSeconds: config.jobSuperviseSeconds, prepare: config.databasePreparedStatements });
  for (const module of allModules) await module.queues?.(boss, config);
  await scheduleEventPruning(boss);
  const presence = createPresenceRooms({
    store: !config.presence.enabled
      ? createNoPresenceStore()
      : config.redis
        ? createRedisPresenceStore(config.redis, { ttlMs: config.presence.ttlSeconds * 1000, logger })
        : createMemoryPresenceStore(),
    intervalMs: config.presence.intervalMs,
    deliveriesPerSecond: config.presence.deliveriesPerSecond,
    heartbeatMs: (config.presence.ttlSeconds * 1000) / 3,
    maxQueuedEvents: config.limits.maxQueuedEventsPerSubscription,
    onError: (err) => logger.debug({ err: err.message }, 'presence update failed'),
  });
  const services = createServices({ config, logger, db: database.db, outbox, streams, redis, boss, tokens, presence, metrics });
  const viewers = createViewerResolver({ tokens, activeSessions: services.sessions.activeIds });
  const rateLimits = createRateLimitSet(redis, config.rateLimits.mutations);
  // What readiness and the dependency metric check: the pool, and the broker (Redis, or without it the
  // connection that LISTENs for events).
  const dependencies: Record<string, () => Promise<unknown>> = {
    postgres: () => database.db.execute(sql`select 1`),
    [broker.mode === 'redis' ? 'redis' : 'notifications']: () => broker.ping(),
  };
  collectOnScrape(metrics, {
    dependencies,
    subscriberCounts: () => streams.subscriberCounts(),
    boss,
    queues: allModules.flatMap((module) => module.queueNames ?? []),
  });

  return {
    config,
    logger,
    database,
    databaseUrl,
    outbox,
    broker,
    redis,
    relay,
    streams,
    tokens,
    viewers,
    services,
    rateLimits,
    boss,
    presence,
    metrics,
    async checkReadiness() {
      await Promise.all(Object.values(dependencies).map((check) => check()));
    },
    async stop() {
      // What modules must finish first (the jobs of posts already answered) goes in before the queue closes.
      for (const module of allModules) await module.flush?.(services);
      // Workers finish their jobs first: they write to the database and publish.
      await boss.stop({ graceful: true, timeout: 8_000 });
      logger.info('job queue stopped');
      // What the workers recorded goes out before the broker closes.
      await relay.flush().catch(() => {});
      await relay.stop();
      await presence.close();
      await broker.close();
      await redis?.quit().catch(() => {});
      logger.info('events relayed, broker closed');
      await database.close();
      logger.info('database pool closed');
      if (embedded) {
        await embedded.stop();
        logger.info('embedded PostgreSQL stopped');
      }
    },
  };
}
