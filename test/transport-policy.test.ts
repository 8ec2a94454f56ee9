import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../src/app.ts';
import { redisAvailable, startTestApp } from './helpers/app.ts';
import { createTestDatabase } from './helpers/db.ts';
import { signUp, type TestUser } from './helpers/http.ts';
import { run, TRANSPORTS } from './helpers/transports.ts';

/**
 * One policy on every transport: each rule runs over HTTP, SSE and WebSocket
 * against a production-mode server, and must hold the same on all three.
 */
const ALLOWED = 'https://app.example';
const EVIL = 'https://evil.example';

const logLines: Array<Record<string, any>> = [];
const logStream = new Writable({
  write(chunk, _encoding, done) {
    for (const line of String(chunk).split('\n').filter(Boolean)) logLines.push(JSON.parse(line));
    done();
  },
});

describe.skipIf(!redisAvailable())('one policy on HTTP, SSE and WebSocket (production)', () => {
  let app: App;
  let user: TestUser;
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  beforeAll(async () => {
    database = await createTestDatabase();
    app = await startTestApp({
      redis: true,
      env: { NODE_ENV: 'production', CORS_ORIGINS: ALLOWED, DATABASE_URL: database.url },
      logger: pino({ level: 'debug' }, logStream),
    });
    user = await signUp(app);
  });
  afterAll(async () => {
    await app?.stop();
    await database?.drop();
  });

  describe.each(TRANSPORTS)('over %s', (transport) => {
    it('answers an allowed origin and a client without one', async () => {
      for (const origin of [ALLOWED, undefined]) {
        const res = await run(app, transport, '{ me { id } }', { token: user.token, ...(origin ? { origin } : {}) });
        expect(res.data?.me?.id).toBe(user.id);
      }
    });

    it('refuses another origin with 403 before anything runs', async () => {
      const res = await run(app, transport, '{ me { id } }', { token: user.token, origin: EVIL });
      expect(res.status).toBe(403);
      expect(res.data ?? null).toBeNull();
    });

    it('refuses introspection', async () => {
      const res = await run(app, transport, '{ __schema { queryType { name } } }', { token: user.token });
      expect(res.data ?? null).toBeNull();
      expect(res.errors?.[0]?.message).toMatch(/introspection/i);
      expect(res.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    });

    it('hides field suggestions', async () => {
      const res = await run(app, transport, '{ me { usernam } }', { token: user.token });
      expect(res.errors?.[0]?.message).not.toMatch(/Did you mean/);
      expect(res.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    });

    it('applies the operation limits, with a code', async () => {
      const aliases = `{ ${Array.from({ length: 20 }, (_, i) => `a${i}: me { id }`).join(' ')} }`;
      const res = await run(app, transport, aliases, { token: user.token });
      expect(res.errors?.[0]?.message).toMatch(/alias/i);
      expect(res.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    });

    it('refuses control characters in text with BAD_USER_INPUT', async () => {
      const res = await run(app, transport, 'query($id: ID!) { post(id: $id) { id } }', {
        token: user.token,
        variables: { id: 'abc\u0000def' },
      });
      expect(res.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    });

    it('needs a token', async () => {
      const res = await run(app, transport, '{ me { id } }');
      if (transport === 'ws') expect(res.closeCode).toBe(4403);
      else expect(res.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    });
  });

  it('sends CORS headers to the allowed origin only', async () => {
    const allowed = await run(app, 'http', '{ me { id } }', { token: user.token, origin: ALLOWED });
    expect(allowed.headers?.get('access-control-allow-origin')).toBe(ALLOWED);
  });

  it('refuses mutations sent as "simple" cross-site requests (no preflight): form, multipart, text, bare GET', async () => {
    const mutation = 'mutation { signUp(input: { username: "csrf_victim", password: "correct horse" }) { token } }';
    const form = new FormData();
    form.set('operations', JSON.stringify({ query: mutation }));
    const attempts = [
      fetch(app.url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ query: mutation }) }),
      fetch(app.url, { method: 'POST', body: form }),
      fetch(app.url, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: JSON.stringify({ query: mutation }) }),
      fetch(`${app.url}?query=${encodeURIComponent('{ __typename }')}`),
      fetch(`${app.url}?query=${encodeURIComponent('subscription { storyActivity { __typename } }')}`, { headers: { accept: 'text/event-stream' } }),
    ];
    for (const res of await Promise.all(attempts)) {
      expect(res.status).toBe(403);
      expect(await res.text()).toContain('"code":"FORBIDDEN"');
    }
    const { rows } = await app.runtime.database.pool.query("select 1 from users where username = 'csrf_victim'");
    expect(rows).toHaveLength(0);
  });

  it('echoes nothing of a malformed body', async () => {
    const res = await fetch(app.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"query":"{ me { id } secret-marker',
    });
    const text = await res.text();
    expect(text).not.toContain('secret-marker');
    expect(JSON.parse(text).errors[0].extensions.code).toBe('BAD_REQUEST');
  });

  it('logs expected errors at debug, without a stack, and changes nothing for text with a NUL', async () => {
    logLines.length = 0;
    const section = (await run(app, 'http', 'mutation { createSection(input: { name: "S", slug: "hygiene" }) { id } }', { token: user.token })).data?.createSection.id;
    const posts = async () => (await app.runtime.database.pool.query('select count(*)::int as n from posts')).rows[0].n;
    const before = await posts();
    for (const transport of TRANSPORTS) {
      const bad = [
        run(app, transport, '{ me { id } }', transport === 'ws' ? { token: user.token, variables: {} } : {}),
        run(app, transport, 'query($id: ID!) { post(id: $id) { id } }', { token: user.token, variables: { id: 'bm90aGluZw==' } }),
        run(app, transport, 'mutation($s: ID!) { createPost(input: { sectionId: $s, content: "a\\u0000b" }) { id } }', { token: user.token, variables: { s: section } }),
        run(app, transport, '{ nope }', { token: user.token }),
      ];
      for (const res of await Promise.all(bad)) expect(res.errors?.[0]?.extensions?.code ?? res.data).toBeTruthy();
    }
    expect(await posts()).toBe(before);
    expect(logLines.filter((line) => line.level >= 50)).toEqual([]);
    const refused = logLines.filter((line) => line.msg === 'request refused');
    expect(refused.length).toBeGreaterThan(0);
    expect(refused.every((line) => line.level === 20 && !JSON.stringify(line).includes('stack'))).toBe(true);
  });

  // Last: it breaks the database on purpose.
  it('masks unexpected errors on every transport and logs each once, at error level', async () => {
    await app.runtime.database.pool.query('alter table sections rename to sections_gone');
    try {
      logLines.length = 0;
      for (const transport of TRANSPORTS) {
        const res = await run(app, transport, '{ sections { id } }', { token: user.token });
        expect(res.errors?.[0]?.message).toBe('Unexpected error.');
        expect(JSON.stringify(res.errors)).not.toMatch(/sections_gone|relation|does not exist|postgres/i);
      }
      const errors = logLines.filter((line) => line.level >= 50);
      expect(errors).toHaveLength(3);
      expect(errors.every((line) => JSON.stringify(line.err).includes('sections'))).toBe(true);
    } finally {
      await app.runtime.database.pool.query('alter table sections_gone rename to sections');
    }
  });
});

describe.skipIf(!redisAvailable())('production without CORS_ORIGINS', () => {
  let app: App;
  let user: TestUser;
  beforeAll(async () => {
    app = await startTestApp({ redis: true, env: { NODE_ENV: 'production' } });
    user = await signUp(app);
  });
  afterAll(() => app?.stop());

  it.each(TRANSPORTS)('allows no browser origin over %s, and sends no CORS headers', async (transport) => {
    const res = await run(app, transport, '{ me { id } }', { token: user.token, origin: 'http://localhost:4000' });
    expect(res.status).toBe(403);
    expect(res.headers?.get('access-control-allow-origin') ?? null).toBeNull();
    expect((await run(app, transport, '{ me { id } }', { token: user.token })).data?.me?.id).toBe(user.id);
  });
});
