import { z } from 'zod';

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
  /** Token lifetime in seconds; default 7 days. */
  JWT_TTL_SECONDS: z.coerce
    .number()
    .int()
    .positive()
    .default(7 * 24 * 3600),
  /** Run background workers in this process; default true. */
  RUN_WORKERS: bool.default(true),
  /** Comma-separated allowed browser origins; empty means any origin outside production, none in it. */
  CORS_ORIGINS: z.string().default(''),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Where the embedded database and generated secrets live; default ./.data */
  DATA_DIR: z.string().min(1).default('.data'),
  /** Largest accepted HTTP request body in bytes; default 100 kB. */
  MAX_BODY_BYTES: z.coerce.number().int().positive().default(100_000),
  /** Largest accepted WebSocket message in bytes; default 100 kB. */
  MAX_WS_MESSAGE_BYTES: z.coerce.number().int().positive().default(100_000),
  /** PostgreSQL pool size per process; default 10. */
  DATABASE_POOL_SIZE: z.coerce.number().int().positive().default(10),
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
  runWorkers: boolean;
  /** `'*'` allows any origin. */
  corsOrigins: string[] | '*';
  logLevel: Env['LOG_LEVEL'];
  dataDir: string;
  maxBodyBytes: number;
  maxWsMessageBytes: number;
  databasePoolSize: number;
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
  const origins = env.CORS_ORIGINS.split(',')
    .map((o) => o.trim())
    .filter(Boolean);
  return {
    env: env.NODE_ENV,
    isProduction,
    port: env.PORT,
    host: env.HOST,
    databaseUrl: env.DATABASE_URL,
    redisUrl: env.REDIS_URL,
    jwtSecret: env.JWT_SECRET,
    jwtTtlSeconds: env.JWT_TTL_SECONDS,
    runWorkers: env.RUN_WORKERS,
    corsOrigins: origins.length > 0 ? origins : isProduction ? [] : '*',
    logLevel: env.LOG_LEVEL,
    dataDir: env.DATA_DIR,
    maxBodyBytes: env.MAX_BODY_BYTES,
    maxWsMessageBytes: env.MAX_WS_MESSAGE_BYTES,
    databasePoolSize: env.DATABASE_POOL_SIZE,
  };
}
