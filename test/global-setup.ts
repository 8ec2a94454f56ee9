import { spawn } from 'node:child_process';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import pg from 'pg';
import { pino } from 'pino';
import type { TestProject } from 'vitest/node';
import { startEmbeddedPostgres } from '../src/db/embedded.ts';
import { runMigrations } from '../src/db/migrate.ts';
import { findFreePort } from '../src/lib/ports.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    databaseUrl: string;
    adminDatabaseUrl: string;
    templateDatabase: string;
    redisUrl: string | null;
  }
}

const silent = pino({ level: 'silent' });
const cleanups: Array<() => Promise<void>> = [];

/**
 * Finds PostgreSQL and Redis for the suite: the machine's own servers when they
 * answer, else an embedded PostgreSQL and a `redis-server` from PATH. Every run
 * gets a fresh database with the migrations applied.
 */
export async function setup(project: TestProject) {
  const adminUrl = await findPostgres();
  const name = `plaza_test_${Date.now()}_${process.pid}`;
  // A migrated template: the suite's shared database and any test's own are quick copies of it.
  const template = `${name}_tpl`;
  await adminQuery(adminUrl, `create database ${template}`);
  cleanups.push(() => adminQuery(adminUrl, `drop database if exists ${template} with (force)`));
  await runMigrations(withDatabase(adminUrl, template), silent);
  await adminQuery(adminUrl, `create database ${name} template ${template}`);
  cleanups.push(() => adminQuery(adminUrl, `drop database if exists ${name} with (force)`));
  const databaseUrl = withDatabase(adminUrl, name);
  project.provide('adminDatabaseUrl', adminUrl);
  project.provide('templateDatabase', template);

  const redisUrl = await findRedis();
  if (!redisUrl) {
    const message =
      'Redis is not available (no server on 127.0.0.1:6379, no redis-server on PATH): Redis-only tests are SKIPPED.';
    if (process.env.CI === 'true') throw new Error(`${message} CI requires Redis.`);
    process.stderr.write(`\n\n!!!!! ${message} !!!!!\n\n`);
  }
  project.provide('databaseUrl', databaseUrl);
  project.provide('redisUrl', redisUrl);
}

export async function teardown() {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
}

export function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

export async function adminQuery(adminUrl: string, statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

async function answers(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2_000 });
  try {
    await client.connect();
    await client.query('select 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

async function findPostgres(): Promise<string> {
  const candidates = [
    process.env.TEST_DATABASE_URL,
    `postgres://${userInfo().username}@127.0.0.1:5432/postgres`,
    'postgres://postgres@127.0.0.1:5432/postgres',
  ].filter((u): u is string => Boolean(u));
  for (const candidate of candidates) if (await answers(candidate)) return candidate;
  process.stderr.write('No PostgreSQL answers on 127.0.0.1:5432: starting an embedded one for the tests.\n');
  const dir = await mkdtemp(join(tmpdir(), 'plaza-test-pg-'));
  // PostgreSQL runs as its own system user when we are root: it must be able to enter the directory.
  await chmod(dir, 0o755);
  const embedded = await startEmbeddedPostgres(dir, silent);
  cleanups.push(async () => {
    await embedded.stop();
    await rm(dir, { recursive: true, force: true });
  });
  const url = new URL(embedded.url);
  url.pathname = '/postgres';
  return url.toString();
}

async function redisAnswers(url: string): Promise<boolean> {
  const client = new Redis(url, {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    connectTimeout: 2_000,
  });
  client.on('error', () => {});
  try {
    await client.connect();
    return (await client.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}

async function findRedis(): Promise<string | null> {
  const configured = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
  if (await redisAnswers(configured)) return configured;
  const port = await findFreePort();
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    {
      stdio: 'ignore',
    },
  );
  const spawned = await new Promise<boolean>((resolve) => {
    child.once('error', () => resolve(false));
    child.once('spawn', () => resolve(true));
  });
  if (!spawned) return null;
  cleanups.push(async () => {
    child.kill('SIGTERM');
  });
  const url = `redis://127.0.0.1:${port}`;
  for (let attempt = 0; attempt < 50; attempt++) {
    if (await redisAnswers(url)) return url;
    await new Promise((r) => setTimeout(r, 100));
  }
  return null;
}
