import { z } from 'zod';
import type { Section, Settings } from './section.ts';
import { auth } from './sections/auth.ts';
import { database, redis } from './sections/database.ts';
import { documents } from './sections/documents.ts';
import { channels, notifications, presence, stories, webhooks } from './sections/features.ts';
import { jobs } from './sections/jobs.ts';
import { limits } from './sections/limits.ts';
import { links } from './sections/links.ts';
import { rateLimits } from './sections/rate-limits.ts';
import { server } from './sections/server.ts';
import { tracing } from './sections/tracing.ts';

/**
 * The only reader of `process.env`. Each concern declares its settings once
 * (config/sections/); they are validated together, every problem reported at
 * once, and the Config's type is what the sections make of them.
 */
export const SECTIONS = { server, database, redis, auth, jobs, limits, documents, links, rateLimits, stories, notifications, webhooks, channels, presence, tracing };

/** Prefixes of Plaza's settings: a variable under one that no section declares is probably misspelt. */
const PREFIXES = ['PLAZA_', 'APQ', 'PERSISTED_', 'LINK_', 'RATE_LIMIT_', 'MAX_', 'JOB_', 'PRESENCE', 'STORY_', 'CHANNEL_', 'SIGN_IN_', 'DATABASE_', 'REDIS_', 'JWT_', 'EVENT_', 'REPLAY_', 'EMBEDDED_POSTGRES_', 'OPERATION_', 'DOCUMENT_', 'SLOW_CONSUMER_', 'METRICS_', 'REFRESH_TOKEN_', 'TRUST_PROXY_'];
/** Read by something else than the server: `npm run seed`'s target. */
const ELSEWHERE = new Set(['PLAZA_URL']);

const shape = Object.assign({}, ...Object.values(SECTIONS).map((s: Section<unknown>) => s.shape)) as z.ZodRawShape;
const schema = z.object(shape);

function build(settings: Settings) {
  return {
    ...server.read(settings),
    ...database.read(settings),
    ...redis.read(settings),
    ...auth.read(settings),
    ...jobs.read(settings),
    limits: limits.read(settings),
    documents: documents.read(settings),
    links: links.read(settings),
    rateLimits: rateLimits.read(settings),
    stories: stories.read(settings),
    notifications: notifications.read(settings),
    webhooks: webhooks.read(settings),
    channels: channels.read(settings),
    presence: presence.read(settings),
    ...tracing.read(settings),
  };
}

export type Config = ReturnType<typeof build> & {
  /** Variables under a prefix of Plaza's that no setting has: most likely misspelt (main logs them). */
  warnings: string[];
};
export type { LinkSettings } from './sections/links.ts';
export type { TracingSettings } from './sections/tracing.ts';
export type { RateLimitName, RateLimitSettings } from './sections/rate-limits.ts';

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
  const parsed = schema.safeParse(cleaned);
  const problems = parsed.success ? [] : parsed.error.issues.map((i) => `${i.path.join('.') || 'environment'} ${i.message}`);
  if (cleaned.NODE_ENV === 'production') {
    for (const key of ['JWT_SECRET', 'DATABASE_URL']) {
      if (!cleaned[key]) problems.push(`${key} is required when NODE_ENV=production`);
    }
    if (!cleaned.REDIS_URL && !cleaned.REDIS_CLUSTER_NODES) problems.push('REDIS_URL (or REDIS_CLUSTER_NODES) is required when NODE_ENV=production');
  }
  if (!parsed.success || problems.length > 0) throw new ConfigError(problems);
  const config = build(parsed.data as Settings);
  if (config.processes > 1 && !config.redis) {
    throw new ConfigError([`PLAZA_PROCESSES above 1 (${config.processes}) needs REDIS_URL (or REDIS_CLUSTER_NODES): the processes share presence, rate limits and connection caps through it`]);
  }
  if (config.documents.only && !config.documents.manifestPath) throw new ConfigError(['PERSISTED_DOCUMENTS_ONLY=true needs PERSISTED_DOCUMENTS: the manifest of the documents allowed']);
  if (cleaned.REDIS_URL && cleaned.REDIS_CLUSTER_NODES) throw new ConfigError(['REDIS_URL and REDIS_CLUSTER_NODES are two ways to reach Redis: set one']);
  const warnings = Object.keys(cleaned)
    .filter((name) => !(name in shape) && !ELSEWHERE.has(name) && PREFIXES.some((prefix) => name.startsWith(prefix)))
    .map((name) => `${name} is not a setting of Plaza's (misspelt?); it is ignored`);
  return { ...config, warnings };
}
