import { GraphQLError } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { App } from '../src/app.ts';
import { createMaskError } from '../src/graphql/mask-errors.ts';
import { startTestApp } from './helpers/app.ts';
import { codeOf, createSection, gql, ok, signUp, type TestUser } from './helpers/http.ts';
import { subscribeWs, wsClient, wsUrl } from './helpers/subscriptions.ts';

let app: App;
let user: TestUser;
beforeAll(async () => {
  app = await startTestApp({ env: { MAX_BODY_BYTES: '20000', MAX_WS_MESSAGE_BYTES: '20000' } });
  user = await signUp(app);
  // The token's session is looked up once, then cached: later statement counts are the operation's own.
  await ok(app, '{ me { id } }', {}, user.token);
});
afterAll(() => app?.stop());

const deep = (levels: number) => {
  let selection = 'id';
  for (let i = 0; i < levels; i++)
    selection = `author { id } section { posts(first: 1) { edges { node { ${selection} } } } }`;
  return `query($id: ID!) { post(id: $id) { ${selection} } }`;
};

describe('operation limits apply before any resolver runs', () => {
  it.each([
    ['too deep', deep(6)],
    ['too many aliases', `{ ${Array.from({ length: 20 }, (_, i) => `a${i}: me { id }`).join(' ')} }`],
    ['too many tokens', `{ me { ${Array.from({ length: 1_200 }, () => 'id').join(' ')} } }`],
    [
      'too costly',
      `{ ${Array.from({ length: 12 }, (_, i) => `s${i}: sections { posts(first: 50) { edges { node { id links { id } reactions { emoji } } } } }`).join(' ')} }`,
    ],
  ])('refuses a query that is %s', async (_label, query) => {
    const before = app.runtime.database.statementCount();
    const res = await gql(app, query, { id: 'x' }, user.token);
    expect(res.errors?.length).toBeGreaterThan(0);
    expect(res.data ?? null).toBeNull();
    expect(app.runtime.database.statementCount()).toBe(before);
  });

  it("lets a frontend's feed page through: 20 posts with authors and link previews, in a fragment", async () => {
    const res = await gql(
      app,
      `query SectionFeed($id: ID!) { section(id: $id) { id name posts(first: 20) { edges { node { ...PostItem } } } } }
       fragment PostItem on Post { id content createdAt author { username } links { id url status error metadata { title description image siteName } } }`,
      { id: (await createSection(app, user)).id },
      user.token,
    );
    expect(res.errors ?? []).toEqual([]);
    expect(res.data?.section.posts.edges).toEqual([]);
  });

  it('answers a variable the schema cannot take with a code, over HTTP and graphql-ws, running nothing', async () => {
    const query = 'query($id: ID!) { post(id: $id) { id } }';
    for (const variables of [{ id: 5.5 }, { id: { nested: true } }, {}]) {
      const res = await gql(app, query, variables, user.token);
      expect(res.status).toBe(400);
      expect(res.data).toBeUndefined();
      expect(res.errors?.[0]?.message).toMatch(/Variable "\$id"/);
      expect(codeOf(res)).toBe('GRAPHQL_VALIDATION_FAILED');
    }
    const { client } = wsClient(app, user.token);
    const sub = subscribeWs(client, query, { id: 5.5 });
    const error = await sub.waitForError();
    expect(error).toMatchObject([{ extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } }]);
    // What the server keeps for itself (the HTTP status it would answer with) stays on the server.
    expect(JSON.stringify(error)).not.toContain('"http"');
    await client.dispose();
  });

  it('applies the same limits over graphql-ws', async () => {
    const { client } = wsClient(app, user.token);
    const sub = subscribeWs(client, `{ ${Array.from({ length: 20 }, (_, i) => `a${i}: me { id }`).join(' ')} }`);
    expect(JSON.stringify(await sub.waitForError())).toMatch(/alias/i);
    await client.dispose();
  });
});

describe('size caps', () => {
  it('answers 413 to an oversized body and 411 to one without a length', async () => {
    const big = await fetch(app.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${user.token}` },
      body: JSON.stringify({ query: '{ me { id } }', variables: { pad: 'x'.repeat(30_000) } }),
    });
    expect(big.status).toBe(413);
    const chunked = await fetch(app.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: new ReadableStream({
        start(controller) {
          controller.enqueue(new TextEncoder().encode('{"query":"{ __typename }"}'));
          controller.close();
        },
      }),
      duplex: 'half',
    } as RequestInit);
    expect(chunked.status).toBe(411);
  });

  it('closes a WebSocket that sends an oversized message with 1009', async () => {
    const socket = new WebSocket(wsUrl(app), 'graphql-transport-ws');
    await new Promise((resolve) => socket.once('open', resolve));
    const closed = new Promise<number>((resolve) => socket.once('close', (code) => resolve(code)));
    socket.send(JSON.stringify({ type: 'connection_init', payload: { pad: 'x'.repeat(30_000) } }));
    expect(await closed).toBe(1009);
  });
});

describe('errors', () => {
  it('masks unexpected errors and keeps expected ones with their code', () => {
    const mask = createMaskError();
    const unexpected = mask(
      new GraphQLError('boom', { originalError: new Error('db password is hunter2') }),
      'Unexpected error.',
    );
    expect(unexpected.message).toBe('Unexpected error.');
    expect(JSON.stringify(unexpected)).not.toContain('hunter2');
  });

  it('keeps GraphiQL, introspection and suggestions in development', async () => {
    const page = await fetch(app.url, { headers: { accept: 'text/html' } });
    expect(await page.text()).toContain('GraphiQL');
    const typo = await gql(app, '{ me { usernam } }', {}, user.token);
    expect(typo.errors?.[0]?.message).toMatch(/Did you mean/);
    const intro = await ok(app, '{ __schema { queryType { name } } }', {}, user.token);
    expect(intro.__schema.queryType.name).toBe('Query');
  });
});

describe('production mode', () => {
  let prod: App;
  beforeAll(async () => {
    prod = await startTestApp({ env: { NODE_ENV: 'production', REDIS_URL: 'redis://127.0.0.1:1' } }).catch(
      () => null as never,
    );
  });
  afterAll(() => prod?.stop());

  it('turns off GraphiQL, introspection and field suggestions', async () => {
    if (!prod) return expect.unreachable('production app did not start');
    const page = await fetch(prod.url, { headers: { accept: 'text/html' } });
    expect(await page.text()).not.toContain('GraphiQL');
    const user2 = await signUp(prod);
    const typo = await gql(prod, '{ me { usernam } }', {}, user2.token);
    expect(typo.errors?.[0]?.message).not.toMatch(/Did you mean/);
    const intro = await gql(prod, '{ __schema { queryType { name } } }', {}, user2.token);
    expect(intro.errors?.length).toBeGreaterThan(0);
    expect(codeOf(intro)).not.toBe('UNAUTHENTICATED');
  });
});
