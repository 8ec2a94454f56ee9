import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../src/app.ts';
import { startTestApp } from './helpers/app.ts';
import { createTestDatabase } from './helpers/db.ts';
import { codeOf, gql, ok, signUp, type TestUser } from './helpers/http.ts';
import { run, TRANSPORTS } from './helpers/transports.ts';

/** `{ me { __typename } }` repeated: cheap to send, quadratic to validate without a cap. */
const repeated = (n: number, salt = '') => `query Q${salt} { ${'me { __typename } '.repeat(n)}}`;

let app: App;
let user: TestUser;
let database: Awaited<ReturnType<typeof createTestDatabase>>;
beforeAll(async () => {
  database = await createTestDatabase();
  app = await startTestApp({
    env: { DATABASE_URL: database.url, DOCUMENT_CACHE_BYTES: '500000', OPERATION_TIMEOUT_MS: '300' },
  });
  user = await signUp(app);
  await ok(app, '{ me { id } }', {}, user.token);
});
afterAll(async () => {
  await app?.stop();
  await database?.drop();
});

describe('the cost of a document is capped before validation', () => {
  it.each(TRANSPORTS)('refuses more than 50 selections in one selection set over %s, before any statement', async (transport) => {
    const before = app.runtime.database.statementCount();
    const res = await run(app, transport, repeated(51), { token: user.token });
    expect(res.errors?.[0]?.message).toMatch(/at most 50/);
    expect(res.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(app.runtime.database.statementCount()).toBe(before);
    expect((await run(app, transport, repeated(50), { token: user.token })).data?.me).toBeTruthy();
  });

  it('keeps the document cache within DOCUMENT_CACHE_BYTES however many unique documents arrive', async () => {
    const { documentCache, errorCache } = app.server.documentCaches;
    for (let i = 0; i < 200; i++) await gql(app, repeated(40, randomBytes(4).toString('hex')), {}, user.token);
    expect(documentCache.size + errorCache.size).toBeGreaterThan(0);
    expect(documentCache.calculatedSize).toBeLessThanOrEqual(500_000);
    expect(errorCache.calculatedSize).toBeLessThanOrEqual(500_000);
  });

  it('replays "cheap expensive work": 16 clients sending unique 8 kB documents, a control client still answered', async () => {
    let stop = false;
    const attackers = Array.from({ length: 16 }, async () => {
      let sent = 0;
      while (!stop) {
        const res = await gql(app, repeated(400, randomBytes(6).toString('hex')));
        expect(res.errors?.length).toBeGreaterThan(0);
        sent += 1;
      }
      return sent;
    });
    try {
      for (let i = 0; i < 20; i++) expect((await ok(app, '{ me { id } }', {}, user.token)).me.id).toBe(user.id);
    } finally {
      stop = true;
    }
    expect((await Promise.all(attackers)).reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
  });
});

describe('operation timeout', () => {
  it('answers TIMEOUT when an operation runs past OPERATION_TIMEOUT_MS, and serves again once it can', async () => {
    // A transaction elsewhere holds the table: the query waits on PostgreSQL, as a slow one would.
    const blocker = new pg.Client({ connectionString: database.url });
    await blocker.connect();
    try {
      await blocker.query('begin; lock table sections in access exclusive mode');
      const res = await gql(app, '{ sections { id } }', {}, user.token);
      expect(codeOf(res)).toBe('TIMEOUT');
      await blocker.query('rollback');
      expect((await ok(app, '{ sections { id } }', {}, user.token)).sections).toBeInstanceOf(Array);
    } finally {
      await blocker.end();
    }
  });
});
