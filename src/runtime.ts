import { sql } from 'drizzle-orm';
import { resolveJwtSecret } from './auth/secret.ts';
import { createTokenService, type TokenService } from './auth/tokens.ts';
import { createViewerResolver, type ViewerResolver } from './auth/viewer.ts';
import type { Config, RateLimitName } from './config.ts';
import { createRateLimitSet, type RateLimitSet } from './lib/rate-limit.ts';
import { createDb, type DbHandle } from './db/client.ts';
import { type EmbeddedDatabase, startEmbeddedPostgres } from './db/embedded.ts';
import { runMigrations } from './db/migrate.ts';
import { startBoss } from './jobs/boss.ts';
import type { Logger } from './logger.ts';
import { createLinkQueues, enqueueLinkJobs } from './modules/links/job.ts';
import { scheduleStoryExpiry } from './modules/stories/expiry-job.ts';
import { linkJobSettings } from './jobs/workers.ts';
import type { PgBoss } from 'pg-boss';
import { createRealtime, type Realtime } from './realtime/pubsub.ts';
import { createServices, type Services } from './services.ts';

/** Everything a server or worker process shares: database, pub/sub, services. */
export interface Runtime {
  config: Config;
  logger: Logger;
  database: DbHandle;
  databaseUrl: string;
  realtime: Realtime;
  tokens: TokenService;
  /** Bearer token -> viewer, revocation included. */
  viewers: ViewerResolver;
  services: Services;
  rateLimits: RateLimitSet<RateLimitName>;
  boss: PgBoss;
  checkReadiness(): Promise<void>;
  /** Drains jobs, then closes pub/sub, the pool and an embedded database, in that order. */
  stop(): Promise<void>;
}

export async function createRuntime(config: Config, logger: Logger): Promise<Runtime> {
  let embedded: EmbeddedDatabase | undefined;
  let databaseUrl = config.databaseUrl;
  if (!databaseUrl) {
    embedded = await startEmbeddedPostgres(config.dataDir, logger);
    databaseUrl = embedded.url;
  }
  logger.info(
    { database: embedded ? 'embedded' : 'external', pubsub: config.redisUrl ? 'redis' : 'in-process' },
    'runtime mode',
  );
  await runMigrations(databaseUrl, logger);
  const database = createDb({ url: databaseUrl, poolSize: config.databasePoolSize, logger });
  const realtime = createRealtime(config.redisUrl, logger, {
    maxQueuedEvents: config.limits.maxQueuedEventsPerSubscription,
  });
  const tokens = createTokenService(await resolveJwtSecret(config), config.jwtTtlSeconds);
  const boss = await startBoss(databaseUrl, logger, config.jobSuperviseSeconds);
  await createLinkQueues(boss, linkJobSettings(config));
  await scheduleStoryExpiry(boss);
  const services = createServices({
    db: database.db,
    pubsub: realtime,
    tokens,
    enqueueLinks: (tx, created, refresh) => enqueueLinkJobs(boss, tx, created, refresh),
    stories: config.stories,
    channels: config.channels,
    refreshTokenTtlDays: config.refreshTokenTtlDays,
    signInLimits: config.rateLimits.signIn,
  });
  const viewers = createViewerResolver({ tokens, activeSessions: services.sessions.activeIds });
  const rateLimits = createRateLimitSet(realtime.redis, config.rateLimits.mutations);

  return {
    config,
    logger,
    database,
    databaseUrl,
    realtime,
    tokens,
    viewers,
    services,
    rateLimits,
    boss,
    async checkReadiness() {
      await Promise.all([database.db.execute(sql`select 1`), realtime.ping()]);
    },
    async stop() {
      // Workers finish their jobs first: they write to the database and publish.
      await boss.stop({ graceful: true, timeout: 8_000 });
      logger.info('job queue stopped');
      await realtime.close();
      logger.info('pub/sub closed');
      await database.close();
      logger.info('database pool closed');
      if (embedded) {
        await embedded.stop();
        logger.info('embedded PostgreSQL stopped');
      }
    },
  };
}
