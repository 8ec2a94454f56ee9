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
import { createLinkJobBatcher } from './modules/links/enqueue.ts';
import { createLinkHandOff, type LinkHandOff } from './modules/links/first-attempts.ts';
import { createLinkQueues, enqueueLinkJobs, LINK_DEAD_LETTER_QUEUE, LINK_QUEUE, linkJobSettings } from './modules/links/job.ts';
import { scheduleStoryExpiry } from './modules/stories/expiry-job.ts';
import { scheduleEventPruning } from './jobs/prune-events.ts';
import type { PgBoss } from 'pg-boss';
import type { Broker } from './realtime/broker.ts';
import { createNotifyBroker } from './realtime/notify-broker.ts';
import { createRedisBroker } from './realtime/redis-broker.ts';
import { createMetrics, type Metrics } from './observability/metrics.ts';
import { createMemoryPresenceStore, createNoPresenceStore } from './realtime/memory-presence.ts';
import { createPresenceRooms } from './realtime/presence.ts';
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
  /** Where committed posts' links go: first attempts here when this process runs link workers, else the queue. */
  linkJobs: LinkHandOff;
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
    { database: embedded ? 'embedded' : 'external', pubsub: config.redisUrl ? 'redis' : 'in-process' },
    'runtime mode',
  );
  await runMigrations(databaseUrl, logger);
  const database = createDb({ url: databaseUrl, poolSize: config.databasePoolSize, prepare: config.databasePreparedStatements, logger });
  const metrics = createMetrics();
  const broker: Broker<Topics> = config.redisUrl
    ? createRedisBroker<Topics>(config.redisUrl, logger)
    : createNotifyBroker<Topics>(databaseUrl, logger);
  const outbox = createOutbox<Topics>(database.db, {
    // With Redis, a writer publishes its events right after numbering them (the relay catches what it misses);
    // without, the sequencer's NOTIFY is the broker.
    afterCommit:
      broker.mode === 'redis'
        ? (event) =>
            void broker.publish(event.topic as keyof Topics & string, event.key, { seq: event.seq, payload: event.payload as Topics[keyof Topics] }).catch(
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
  await createLinkQueues(boss, linkJobSettings(config.links));
  await scheduleStoryExpiry(boss);
  await scheduleEventPruning(boss);
  const presence = createPresenceRooms({
    store: !config.presence.enabled
      ? createNoPresenceStore()
      : config.redisUrl
        ? createRedisPresenceStore(config.redisUrl, { ttlMs: config.presence.ttlSeconds * 1000, logger })
        : createMemoryPresenceStore(),
    intervalMs: config.presence.intervalMs,
    deliveriesPerSecond: config.presence.deliveriesPerSecond,
    heartbeatMs: (config.presence.ttlSeconds * 1000) / 3,
    maxQueuedEvents: config.limits.maxQueuedEventsPerSubscription,
    onError: (err) => logger.debug({ err: err.message }, 'presence update failed'),
  });
  const linkJobs = createLinkHandOff(
    createLinkJobBatcher((links) => enqueueLinkJobs(boss, null, links), logger.child({ module: 'link-jobs' })),
    logger,
    (outcome) => metrics.linkFirstAttempts.inc({ outcome }),
  );
  const services = createServices({
    linkJobs,
    presence,
    db: database.db,
    outbox,
    streams,
    redis: broker.redis,
    tokens,
    enqueueLinks: (tx, created, refresh) => enqueueLinkJobs(boss, tx, created, refresh),
    stories: config.stories,
    channels: config.channels,
    refreshTokenTtlDays: config.refreshTokenTtlDays,
    signInLimits: config.rateLimits.signIn,
    onLinkFinished: (status) => metrics.linkJobs.inc({ status }),
  });
  const viewers = createViewerResolver({ tokens, activeSessions: services.sessions.activeIds });
  const rateLimits = createRateLimitSet(broker.redis, config.rateLimits.mutations);
  // What readiness and the dependency metric check: the pool, and the broker (Redis, or without it the
  // connection that LISTENs for events).
  const dependencies: Record<string, () => Promise<unknown>> = {
    postgres: () => database.db.execute(sql`select 1`),
    [broker.mode === 'redis' ? 'redis' : 'notifications']: () => broker.ping(),
  };
  metrics.onCollect(async () => {
    await Promise.all(
      Object.entries(dependencies).map(async ([dependency, check]) =>
        metrics.dependencyUp.set({ dependency }, await check().then(() => 1, () => 0)),
      ),
    );
  });
  metrics.onCollect(async () => {
    metrics.subscriptions.reset();
    for (const [topic, count] of streams.subscriberCounts()) metrics.subscriptions.set({ topic }, count);
  });
  metrics.onCollect(async () => {
    for (const queue of [LINK_QUEUE, LINK_DEAD_LETTER_QUEUE]) {
      const found = await boss.getQueue(queue);
      if (!found) continue;
      metrics.queueDepth.set({ queue, state: 'queued' }, found.queuedCount);
      metrics.queueDepth.set({ queue, state: 'active' }, found.activeCount);
      metrics.queueDepth.set({ queue, state: 'deferred' }, found.deferredCount);
    }
  });

  return {
    config,
    logger,
    database,
    databaseUrl,
    outbox,
    broker,
    relay,
    streams,
    tokens,
    viewers,
    services,
    rateLimits,
    boss,
    linkJobs,
    metrics,
    async checkReadiness() {
      await Promise.all(Object.values(dependencies).map((check) => check()));
    },
    async stop() {
      // The jobs of posts already answered go in before the queue closes.
      await linkJobs.flush();
      // Workers finish their jobs first: they write to the database and publish.
      await boss.stop({ graceful: true, timeout: 8_000 });
      logger.info('job queue stopped');
      // What the workers recorded goes out before the broker closes.
      await relay.flush().catch(() => {});
      await relay.stop();
      await presence.close();
      await broker.close();
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
