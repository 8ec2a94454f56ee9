import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Logger, pino } from 'pino';
import { afterAll, beforeAll, inject } from 'vitest';
import { type App, startApp } from '../../src/app.ts';
import { loadConfig } from '../../src/config/index.ts';
import { rateLimitDefaults, rateLimitEnvName } from '../../src/config/sections/rate-limits.ts';

export const TEST_JWT_SECRET = 'test-secret-test-secret-test-secret-0123456789';

export interface TestAppOptions {
  /** Use Redis pub/sub (the suite's Redis); default false: in-process. */
  redis?: boolean;
  env?: Record<string, string>;
  /** Where the app logs; default silent (TEST_LOG_LEVEL to see it). */
  logger?: Logger;
}

/**
 * Every mutation's rate limit, raised out of reach: a test file signs up dozens
 * of users from one address. Tests of the limits themselves set their own.
 */
export const relaxedRateLimits: Record<string, string> = {
  ...Object.fromEntries(Object.keys(rateLimitDefaults).map((name) => [rateLimitEnvName(name), '1000000/60'])),
  SIGN_IN_FREE_FAILURES_PER_IP: '1000000',
};

/** A whole Plaza instance on a free port against the suite's database. */
export async function startTestApp({ redis = false, env = {}, logger }: TestAppOptions = {}): Promise<App> {
  const redisUrl = inject('redisUrl');
  if (redis && !redisUrl) throw new Error('this test needs Redis');
  const config = loadConfig({
    NODE_ENV: 'test',
    PORT: '0',
    HOST: '127.0.0.1',
    DATABASE_URL: inject('databaseUrl'),
    ...(redis && redisUrl ? { REDIS_URL: redisUrl } : {}),
    JWT_SECRET: TEST_JWT_SECRET,
    LOG_LEVEL: 'silent',
    // Workers only where a test is about them: no stray fetches of example.com elsewhere.
    RUN_WORKERS: 'false',
    DATA_DIR: mkdtempSync(join(tmpdir(), 'plaza-test-data-')),
    ...relaxedRateLimits,
    ...env,
  });
  return startApp(config, logger ?? pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }));
}

export const redisAvailable = () => inject('redisUrl') !== null;

/** Two instances for the describe block it is called in: started before its tests, stopped after them. */
export function twoInstances(options: TestAppOptions = {}): { a: App; b: App } {
  const pair = {} as { a: App; b: App };
  beforeAll(async () => {
    [pair.a, pair.b] = await Promise.all([startTestApp(options), startTestApp(options)]);
  });
  afterAll(async () => {
    await Promise.all([pair.a?.stop(), pair.b?.stop()]);
  });
  return pair;
}
