import { afterAll, beforeAll } from 'vitest';
import type { App } from '../../src/app.ts';
import { startTestApp, type TestAppOptions } from './app.ts';
import { createTestDatabase } from './db.ts';
import { FakeWeb } from './web.ts';

export interface LinkBed {
  /** The local web the links point to (its host allowed on its port). */
  web: FakeWeb;
  /** A database of the block's own: its link jobs are nobody else's. */
  database: Awaited<ReturnType<typeof createTestDatabase>>;
  /** An instance that runs link workers against both; null with `app: false`. */
  app: App;
  /** The env every Plaza the block starts shares (the database, the allowed web, fast polling). */
  env(): Record<string, string>;
}

export interface LinkBedOptions extends Pick<TestAppOptions, 'redis'> {
  /** Settings for the instance beyond the bed's own. */
  env?: Record<string, string>;
  /** Start no instance (a test that starts its own processes); default true. */
  app?: boolean;
  /**
   * Runs once the web is up, before the instance starts: routes it serves
   * from the start, other servers; what it returns is added to the instance's
   * settings (LINK_FETCH_ALLOW_HOSTS replaces the bed's own).
   */
  prepare?: (web: FakeWeb) => void | Record<string, string> | Promise<void | Record<string, string>>;
}

/**
 * What a link-preview test stands on, for the describe block (or file) it
 * is called in: a local web, a database of its own, and an instance running
 * link workers against them, started before the block's tests and stopped
 * after them.
 */
export function linkBed({ env = {}, app = true, prepare, redis }: LinkBedOptions = {}): LinkBed {
  const bed = {} as LinkBed;
  bed.env = () => ({
    DATABASE_URL: bed.database.url,
    RUN_WORKERS: 'true',
    LINK_FETCH_ALLOW_HOSTS: `127.0.0.1:${bed.web.port}`,
    JOB_POLL_SECONDS: '0.5',
  });
  beforeAll(async () => {
    bed.web = await new FakeWeb().start();
    const prepared = (await prepare?.(bed.web)) ?? {};
    bed.database = await createTestDatabase();
    if (app) bed.app = await startTestApp({ ...(redis ? { redis } : {}), env: { ...bed.env(), ...env, ...prepared } });
  });
  afterAll(async () => {
    await bed.app?.stop();
    await bed.database?.drop();
    await bed.web?.stop();
  });
  return bed;
}
