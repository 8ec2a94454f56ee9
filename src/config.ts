import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { commaList, type LinkSettings, linkSettings, linkSettingsOf } from './link-settings.ts';
import { type RateLimitSettings, rateLimitSettings, rateLimitsOf, scaled } from './rate-limit-settings.ts';

/**
 * The only reader of `process.env`. Every setting is validated at once and every
 * problem is reported together, so an operator fixes them in one pass.
 */

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const optionalUrl = (protocols: string[]) =>
  z
    .string()
    .trim()
    .min(1)
    .refine(
      (v) => {
        try {
          return protocols.includes(new URL(v).protocol);
        } catch {
          return false;
        }
      },
      `must be a URL starting with ${protocols.map((p) => `${p}//`).join(' or ')}`,
    )
    .optional();

const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  /** HTTP port; default 4000. */
  PORT: z.coerce.number().int().min(0).max(65535).default(4000),
  /** Interface to bind; default all interfaces. */
  HOST: z.string().min(1).default('0.0.0.0'),
  /** PostgreSQL URL; without it an embedded PostgreSQL runs under DATA_DIR. */
  DATABASE_URL: optionalUrl(['postgres:', 'postgresql:']),
  /** Redis URL; without it pub/sub stays in this process. */
  REDIS_URL: optionalUrl(['redis:', 'rediss:']),
  /** HS256 secret, at least 32 characters; generated into DATA_DIR outside production. */
  JWT_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  /** Access token lifetime in seconds; default 1 hour (renew with refreshToken). */
  JWT_TTL_SECONDS: z.coerce.number().int().positive().default(3600),
  /** Refresh token (session) lifetime in days, extended on each use; default 30. */
  REFRESH_TOKEN_TTL_DAYS: z.coerce.number().positive().max(365).default(30),
  /** Run background workers in this process; default true. */
  RUN_WORKERS: bool.default(true),
  /** Comma-separated allowed browser origins; empty means any origin outside production, none in it. */
  CORS_ORIGINS: z.string().default(''),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Bearer token `GET /metrics` asks for; in production, without one there is no /metrics. */
  METRICS_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  /** Where the embedded database and generated secrets live; default `.data` in the checkout, whatever the working directory. */
  DATA_DIR: z.string().min(1).default(fileURLToPath(new URL('../.data', import.meta.url))),
  /**
   * Running as root only: where the embedded PostgreSQL's binaries and cluster go, owned by and reachable
   * for the `postgres` user it runs as (a checkout under /root is not); default /var/lib/plaza.
   */
  EMBEDDED_POSTGRES_ROOT_DIR: z.string().min(1).default('/var/lib/plaza'),
  /** Largest accepted HTTP request body in bytes; default 100 kB. */
  MAX_BODY_BYTES: z.coerce.number().int().positive().default(100_000),
  /**
   * Serve plain JSON POSTs (one query or mutation, a JSON Accept) through Yoga's plugins but not its HTTP layer;
   * default true. False sends every request through Yoga's HTTP layer (the same answers, more CPU).
   */
  PLAIN_JSON_FAST_PATH: bool.default(true),
  /** Largest answer to one query or mutation in bytes; past it the answer is RESPONSE_TOO_LARGE. 0 = no cap. Default 4 MiB. */
  MAX_RESPONSE_BYTES: z.coerce.number().int().min(0).default(4 * 1_048_576),
  /** Bytes of events kept in memory for subscriptions resuming from a cursor (shared replay pages); default 32 MiB. */
  REPLAY_CACHE_BYTES: z.coerce.number().int().min(0).default(32 * 1_048_576),
  /** Largest accepted WebSocket message in bytes; default 100 kB. */
  MAX_WS_MESSAGE_BYTES: z.coerce.number().int().positive().default(100_000),
  /** PostgreSQL pool size per process; default 10. */
  DATABASE_POOL_SIZE: z.coerce.number().int().positive().default(10),
  /**
   * Send the statements used often as named prepared statements (parsed and planned once per connection); default
   * true. Off behind a pooler in transaction mode that cannot carry them (PgBouncer before 1.21).
   */
  DATABASE_PREPARED_STATEMENTS: bool.default(true),
  ...linkSettings,
  /**
   * How often a worker looks for jobs when nothing woke it, in seconds; default 0.5. A worker that
   * just finished a job also waits this long before its next fetch, so it bounds throughput.
   */
  JOB_POLL_SECONDS: z.coerce.number().min(0.5).default(0.5),
  /** How often pg-boss looks for jobs whose worker died (no heartbeat for 10 s, or expired) to retry them, in seconds; default 5. */
  JOB_SUPERVISE_SECONDS: z.coerce.number().int().min(1).default(5),
  /** Open WebSockets and SSE streams this instance accepts; 503 at the handshake above it; 0 = no cap. Default 10,000. */
  MAX_CONNECTIONS: z.coerce.number().int().min(0).default(10_000),
  /** WebSockets and SSE streams one user may hold across the cluster; 0 = no cap. Default 20. */
  MAX_CONNECTIONS_PER_USER: z.coerce.number().int().min(0).default(20),
  /** Operations one WebSocket may run at once (subscriptions included); 0 = no cap. Default 100. */
  MAX_SUBSCRIPTIONS_PER_CONNECTION: z.coerce.number().int().min(0).default(100),
  /** Distinct viewer-dependent subscriptions one WebSocket may hold (identical ones share); 0 = no cap. Default 10. */
  MAX_VIEWER_SUBSCRIPTIONS_PER_CONNECTION: z.coerce.number().int().min(0).default(10),
  /** Bytes a connection may leave unsent before it is dropped as a slow consumer; 0 = no cap. Default 1 MiB. */
  MAX_BUFFERED_BYTES_PER_CONNECTION: z.coerce.number().int().min(0).default(1_048_576),
  /** Seconds a connection's output may stay stuck before it is dropped; 0 = never. Default 15. */
  SLOW_CONSUMER_SECONDS: z.coerce.number().min(0).default(15),
  /** Events one subscription may have waiting for a slow reader before it ends with SLOW_CONSUMER. Default 1,000. */
  MAX_QUEUED_EVENTS_PER_SUBSCRIPTION: z.coerce.number().int().min(10).default(1_000),
  /** Deadline for one query or mutation in ms; 0 = none. Default 10 s. */
  OPERATION_TIMEOUT_MS: z.coerce.number().int().min(0).default(10_000),
  /** Bytes of parsed documents kept in the parse/validation cache; default 32 MiB. */
  DOCUMENT_CACHE_BYTES: z.coerce.number().int().min(0).default(32 * 1_048_576),
  /** Proxies in front of Plaza whose X-Forwarded-For is trusted (per-IP limits); default 0. */
  TRUST_PROXY_HOPS: z.coerce.number().int().min(0).max(10).default(0),
  /** Scales every rate limit; 0 turns rate limiting off (load tests only). Default 1. */
  RATE_LIMIT_MULTIPLIER: z.coerce.number().min(0).default(1),
  ...rateLimitSettings,
  /** Failed sign-ins for one account before exponential back-off; default 5. */
  SIGN_IN_FREE_FAILURES_PER_ACCOUNT: z.coerce.number().int().min(1).default(5),
  /** Failed sign-ins from one IP before exponential back-off; default 20. */
  SIGN_IN_FREE_FAILURES_PER_IP: z.coerce.number().int().min(1).default(20),
  /** Longest sign-in back-off in seconds; default 15 minutes. */
  SIGN_IN_MAX_BACKOFF_SECONDS: z.coerce.number().int().min(1).default(900),
  /** Hours recorded events are kept for resuming subscriptions; default 24. */
  EVENT_RETENTION_HOURS: z.coerce.number().positive().max(24 * 90).default(24),
  /** Hours a story stays up; default 24. */
  STORY_TTL_HOURS: z.coerce.number().positive().max(24 * 30).default(24),
  /** Story reactions one user may send per minute; default 30. */
  STORY_REACTIONS_PER_MINUTE: z.coerce.number().int().positive().default(30),
  /** Highlight changes a channel may make per window; default 20. */
  CHANNEL_HIGHLIGHT_LIMIT: z.coerce.number().int().positive().default(20),
  /** The window for CHANNEL_HIGHLIGHT_LIMIT in seconds; default 10. */
  CHANNEL_HIGHLIGHT_WINDOW_SECONDS: z.coerce.number().int().positive().default(10),
  /** `off`: nobody's presence is kept or published (viewer counts read 0); default `on`. */
  PRESENCE: z.enum(['on', 'off']).default('on'),
  /** At most one presence update (viewer count, seller live) per channel per this many ms; default 1,000. */
  PRESENCE_INTERVAL_MS: z.coerce.number().int().min(50).default(1_000),
  /** A channel with more viewers than this gets its presence updates less often: one per (viewers / this) s; default 1,000. */
  PRESENCE_DELIVERIES_PER_SECOND: z.coerce.number().int().min(1).default(1_000),
  /** Seconds after which an instance that stopped renewing its viewers (it died) no longer counts them; default 30. */
  PRESENCE_TTL_SECONDS: z.coerce.number().int().min(1).default(30),
});

export type Env = z.infer<typeof envSchema>;

export interface Config {
  env: Env['NODE_ENV'];
  isProduction: boolean;
  port: number;
  host: string;
  databaseUrl: string | undefined;
  redisUrl: string | undefined;
  jwtSecret: string | undefined;
  jwtTtlSeconds: number;
  refreshTokenTtlDays: number;
  runWorkers: boolean;
  /** `'*'` allows any origin. */
  corsOrigins: string[] | '*';
  logLevel: Env['LOG_LEVEL'];
  dataDir: string;
  metricsToken: string | undefined;
  embeddedPostgresRootDir: string;
  maxBodyBytes: number;
  plainJsonFastPath: boolean;
  maxWsMessageBytes: number;
  databasePoolSize: number;
  databasePreparedStatements: boolean;
  links: LinkSettings;
  jobPollSeconds: number;
  jobSuperviseSeconds: number;
  eventRetentionHours: number;
  limits: {
    /** 0 in every field means no cap. */
    maxConnections: number;
    maxConnectionsPerUser: number;
    maxSubscriptionsPerConnection: number;
    maxViewerSubscriptionsPerConnection: number;
    maxBufferedBytesPerConnection: number;
    slowConsumerMs: number;
    maxQueuedEventsPerSubscription: number;
    operationTimeoutMs: number;
    documentCacheBytes: number;
    maxResponseBytes: number;
    replayCacheBytes: number;
  };
  trustProxyHops: number;
  rateLimits: RateLimitSettings;
  stories: { ttlHours: number; reactionsPerMinute: number };
  channels: { highlightLimit: number; highlightWindowSeconds: number };
  presence: { enabled: boolean; intervalMs: number; deliveriesPerSecond: number; ttlSeconds: number };
}

export class ConfigError extends Error {
  readonly problems: string[];
  constructor(problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

/** Reads and validates the settings; throws ConfigError listing every problem. */
export function loadConfig(source: NodeJS.ProcessEnv = process.env): Config {
  // Empty strings mean "unset", as most deployment tools write them.
  const cleaned = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = envSchema.safeParse(cleaned);
  const problems = parsed.success
    ? []
    : parsed.error.issues.map((i) => `${i.path.join('.') || 'environment'} ${i.message}`);
  if (cleaned.NODE_ENV === 'production') {
    for (const key of ['JWT_SECRET', 'DATABASE_URL', 'REDIS_URL']) {
      if (!cleaned[key]) problems.push(`${key} is required when NODE_ENV=production`);
    }
  }
  if (!parsed.success || problems.length > 0) throw new ConfigError(problems);
  const env = parsed.data;
  const isProduction = env.NODE_ENV === 'production';
  const origins = commaList(env.CORS_ORIGINS);
  return {
    env: env.NODE_ENV,
    isProduction,
    port: env.PORT,
    host: env.HOST,
    databaseUrl: env.DATABASE_URL,
    redisUrl: env.REDIS_URL,
    jwtSecret: env.JWT_SECRET,
    jwtTtlSeconds: env.JWT_TTL_SECONDS,
    refreshTokenTtlDays: env.REFRESH_TOKEN_TTL_DAYS,
    runWorkers: env.RUN_WORKERS,
    corsOrigins: origins.length > 0 ? origins : isProduction ? [] : '*',
    logLevel: env.LOG_LEVEL,
    dataDir: resolve(env.DATA_DIR),
    metricsToken: env.METRICS_TOKEN,
    embeddedPostgresRootDir: env.EMBEDDED_POSTGRES_ROOT_DIR,
    maxBodyBytes: env.MAX_BODY_BYTES,
    plainJsonFastPath: env.PLAIN_JSON_FAST_PATH,
    maxWsMessageBytes: env.MAX_WS_MESSAGE_BYTES,
    databasePoolSize: env.DATABASE_POOL_SIZE,
    databasePreparedStatements: env.DATABASE_PREPARED_STATEMENTS,
    links: linkSettingsOf(env),
    jobPollSeconds: env.JOB_POLL_SECONDS,
    jobSuperviseSeconds: env.JOB_SUPERVISE_SECONDS,
    eventRetentionHours: env.EVENT_RETENTION_HOURS,
    limits: {
      maxConnections: env.MAX_CONNECTIONS,
      maxConnectionsPerUser: env.MAX_CONNECTIONS_PER_USER,
      maxSubscriptionsPerConnection: env.MAX_SUBSCRIPTIONS_PER_CONNECTION,
      maxViewerSubscriptionsPerConnection: env.MAX_VIEWER_SUBSCRIPTIONS_PER_CONNECTION,
      maxBufferedBytesPerConnection: env.MAX_BUFFERED_BYTES_PER_CONNECTION,
      slowConsumerMs: env.SLOW_CONSUMER_SECONDS * 1000,
      maxQueuedEventsPerSubscription: env.MAX_QUEUED_EVENTS_PER_SUBSCRIPTION,
      operationTimeoutMs: env.OPERATION_TIMEOUT_MS,
      documentCacheBytes: env.DOCUMENT_CACHE_BYTES,
      maxResponseBytes: env.MAX_RESPONSE_BYTES,
      replayCacheBytes: env.REPLAY_CACHE_BYTES,
    },
    trustProxyHops: env.TRUST_PROXY_HOPS,
    rateLimits: rateLimitsOf(env as unknown as Record<string, { points: number; seconds: number }>, {
      multiplier: env.RATE_LIMIT_MULTIPLIER,
      freeFailuresPerAccount: env.SIGN_IN_FREE_FAILURES_PER_ACCOUNT,
      freeFailuresPerIp: env.SIGN_IN_FREE_FAILURES_PER_IP,
      maxBackoffSeconds: env.SIGN_IN_MAX_BACKOFF_SECONDS,
    }),
    // The older per-feature limits scale with the multiplier too; off means effectively unlimited.
    stories: {
      ttlHours: env.STORY_TTL_HOURS,
      reactionsPerMinute: scaled(env.STORY_REACTIONS_PER_MINUTE, env.RATE_LIMIT_MULTIPLIER),
    },
    channels: {
      highlightLimit: scaled(env.CHANNEL_HIGHLIGHT_LIMIT, env.RATE_LIMIT_MULTIPLIER),
      highlightWindowSeconds: env.CHANNEL_HIGHLIGHT_WINDOW_SECONDS,
    },
    presence: {
      enabled: env.PRESENCE === 'on',
      intervalMs: env.PRESENCE_INTERVAL_MS,
      deliveriesPerSecond: env.PRESENCE_DELIVERIES_PER_SECOND,
      ttlSeconds: env.PRESENCE_TTL_SECONDS,
    },
  };
}
