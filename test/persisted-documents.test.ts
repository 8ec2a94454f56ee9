import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApolloClient, gql as apolloGql, HttpLink, InMemoryCache } from '@apollo/client';
import { PersistedQueryLink } from '@apollo/client/link/persisted-queries';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../src/app.ts';
import { redisAvailable, startTestApp } from './helpers/app.ts';
import { createSection, signUp, type TestUser } from './helpers/http.ts';
import { wsClient } from './helpers/subscriptions.ts';

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
// Registered documents outlive a run (Redis): each run's are its own.
const run = randomBytes(4).toString('hex');
const SECTIONS = `query Sections_${run} { sections { id name } }`;
const ME = 'query Me { me { username } }';

/** A POST (or a GET, with the parameters in the address) as a client sends it; the answer's status and body. */
async function ask(app: Pick<App, 'url'>, token: string, params: Record<string, unknown>, method: 'GET' | 'POST' = 'POST') {
  const headers = { authorization: `Bearer ${token}`, accept: 'application/json', 'content-type': 'application/json' };
  const res =
    method === 'POST'
      ? await fetch(app.url, { method, headers, body: JSON.stringify(params) })
      : await fetch(`${app.url}?${new URLSearchParams(Object.entries(params).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)]))}`, { headers });
  return { status: res.status, body: (await res.json()) as { data?: any; errors?: Array<{ message: string; extensions?: { code?: string } }> } };
}
const persisted = (query: string) => ({ persistedQuery: { version: 1, sha256Hash: sha256(query) } });

describe.runIf(redisAvailable() || process.env.CI === 'true')('automatic persisted queries (APQ=true), stored in Redis', () => {
  let a: App;
  let b: App;
  let user: TestUser;
  beforeAll(async () => {
    [a, b] = await Promise.all([startTestApp({ redis: true, env: { APQ: 'true' } }), startTestApp({ redis: true, env: { APQ: 'true' } })]);
    user = await signUp(a);
    await createSection(a, user);
  });
  afterAll(() => Promise.all([a?.stop(), b?.stop()]));

  it('answers an unknown hash PersistedQueryNotFound, registers the document sent with it, then runs it by hash on every instance, GET too', async () => {
    const unknown = await ask(a, user.token, { extensions: persisted(SECTIONS) });
    expect(unknown.status).toBe(200);
    expect(unknown.body.errors?.[0]).toMatchObject({ message: 'PersistedQueryNotFound', extensions: { code: 'PERSISTED_QUERY_NOT_FOUND' } });
    const registered = await ask(a, user.token, { query: SECTIONS, extensions: persisted(SECTIONS) });
    expect(registered.body.data.sections.length).toBeGreaterThan(0);
    // Another instance knows it (Redis), by POST and by GET.
    expect((await ask(b, user.token, { extensions: persisted(SECTIONS) })).body.data.sections).toEqual(registered.body.data.sections);
    expect((await ask(b, user.token, { extensions: persisted(SECTIONS) }, 'GET')).body.data.sections).toEqual(registered.body.data.sections);
  });

  it('refuses a document whose hash is not the one sent with it, and registers nothing', async () => {
    const wrong = await ask(a, user.token, { query: ME, extensions: { persistedQuery: { version: 1, sha256Hash: sha256('something else') } } });
    expect(wrong.status).toBe(400);
    expect(wrong.body.errors?.[0]?.extensions?.code).toBe('PERSISTED_QUERY_HASH_MISMATCH');
    const after = await ask(a, user.token, { extensions: { persistedQuery: { version: 1, sha256Hash: sha256('something else') } } });
    expect(after.body.errors?.[0]?.extensions?.code).toBe('PERSISTED_QUERY_NOT_FOUND');
  });

  it("works with Apollo Client's persisted query link as it is", async () => {
    const seen: string[] = [];
    const client = new ApolloClient({
      link: new PersistedQueryLink({ sha256 }).concat(
        new HttpLink({
          uri: a.url,
          headers: { authorization: `Bearer ${user.token}` },
          fetch: async (uri, init) => {
            seen.push(JSON.parse(String(init?.body)).query ? 'with document' : 'hash only');
            return fetch(uri, init);
          },
        }),
      ),
      cache: new InMemoryCache(),
    });
    const query = apolloGql(`query MeAgain_${run} { me { username } }`);
    expect((await client.query({ query, fetchPolicy: 'network-only' })).data).toMatchObject({ me: { username: user.username } });
    expect((await client.query({ query, fetchPolicy: 'network-only' })).data).toMatchObject({ me: { username: user.username } });
    // First: the hash alone, not found, then the document; after that the hash alone is enough.
    expect(seen).toEqual(['hash only', 'with document', 'hash only']);
  });
});

describe('trusted documents only (PERSISTED_DOCUMENTS_ONLY=true)', () => {
  let app: App;
  let user: TestUser;
  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'plaza-manifest-'));
    const manifest = join(dir, 'persisted-documents.json');
    writeFileSync(manifest, JSON.stringify({ [sha256(SECTIONS)]: SECTIONS, [sha256(ME)]: ME }));
    app = await startTestApp({ env: { PERSISTED_DOCUMENTS: manifest, PERSISTED_DOCUMENTS_ONLY: 'true' } });
    // Signing up is a document too: done on an instance without the lock, on the same database.
    const open = await startTestApp();
    user = await signUp(open);
    await open.stop();
  });
  afterAll(() => app?.stop());

  it('runs the manifest’s documents by hash or as text, and refuses any other on HTTP (POST and GET), SSE and graphql-ws', async () => {
    expect((await ask(app, user.token, { extensions: persisted(ME) })).body.data).toEqual({ me: { username: user.username } });
    expect((await ask(app, user.token, { query: ME })).body.data).toEqual({ me: { username: user.username } });
    const other = 'query { me { id } }';
    for (const method of ['POST', 'GET'] as const) {
      const refused = await ask(app, user.token, { query: other }, method);
      expect(refused.status).toBe(403);
      expect(refused.body.errors?.[0]?.extensions?.code).toBe('PERSISTED_QUERY_ONLY');
    }
    const sse = await fetch(app.url, {
      method: 'POST',
      headers: { authorization: `Bearer ${user.token}`, accept: 'text/event-stream', 'content-type': 'application/json' },
      body: JSON.stringify({ query: 'subscription { storyActivity { kind } }' }),
    });
    expect(await sse.text()).toContain('PERSISTED_QUERY_ONLY');

    const { client } = wsClient(app, user.token);
    const subscribe = (payload: { query: string; extensions?: Record<string, unknown> }) =>
      new Promise<any[]>((resolve) => {
        const results: any[] = [];
        client.subscribe(payload, { next: (r) => void results.push(r), error: (e) => resolve([...results, { errors: e }]), complete: () => resolve(results) });
      });
    expect(await subscribe({ query: '', extensions: persisted(ME) })).toEqual([{ data: { me: { username: user.username } } }]);
    const refused = await subscribe({ query: other });
    expect(JSON.stringify(refused)).toContain('PERSISTED_QUERY_ONLY');
    await client.dispose();
  });
});

describe('without APQ or a manifest', () => {
  let app: App;
  let user: TestUser;
  beforeAll(async () => {
    app = await startTestApp();
    user = await signUp(app);
  });
  afterAll(() => app?.stop());

  it('tells a client sending a hash alone PersistedQueryNotSupported (it then sends documents as text), and runs text as always', async () => {
    const hashOnly = await ask(app, user.token, { extensions: persisted(ME) });
    expect(hashOnly.body.errors?.[0]).toMatchObject({ message: 'PersistedQueryNotSupported', extensions: { code: 'PERSISTED_QUERY_NOT_SUPPORTED' } });
    expect((await ask(app, user.token, { query: ME, extensions: persisted(ME) })).body.data).toEqual({ me: { username: user.username } });
  });
});
