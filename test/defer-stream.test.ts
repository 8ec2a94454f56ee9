import { createClient as createUrqlClient, fetchExchange } from '@urql/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../src/app.ts';
import { startTestApp } from './helpers/app.ts';
import { createPost, createSection, signUp, type TestUser } from './helpers/http.ts';
import { wsClient } from './helpers/subscriptions.ts';

/** A section's posts at once, their links (what a feed waits for: previews) after. */
const FEED = /* GraphQL */ `
  query Feed($id: ID!) {
    section(id: $id) {
      name
      posts(first: 5) { edges { node { content ... @defer(label: "links") { links { url status } } } } }
    }
  }
`;

let app: App;
let user: TestUser;
let section: { id: string };
beforeAll(async () => {
  app = await startTestApp();
  user = await signUp(app);
  section = await createSection(app, user);
  await createPost(app, user, section.id, 'with a link', ['https://example.com/a']);
});
afterAll(() => app?.stop());

type Node = { content: string; links?: Array<{ url: string; status: string }> };
const firstNode = (data: any): Node => data.section.posts.edges[0].node;

describe('@defer: the slow part of a query after the rest', () => {
  it('urql over HTTP (multipart/mixed) gets the posts first, then their links', async () => {
    const urql = createUrqlClient({
      url: app.url,
      exchanges: [fetchExchange],
      fetchOptions: { headers: { authorization: `Bearer ${user.token}` } },
      // Read to the closing boundary even once unsubscribed below, rather than aborted mid-read.
      fetch: (input, init) => fetch(input, { ...init, signal: null }),
    });
    const results: Array<{ node: Node; hasNext: boolean }> = [];
    await new Promise<void>((resolve, reject) => {
      const { unsubscribe } = urql.query(FEED, { id: section.id }).subscribe((result) => {
        if (result.error) return reject(result.error);
        results.push({ node: structuredClone(firstNode(result.data)), hasNext: result.hasNext });
        if (!result.hasNext) {
          unsubscribe();
          resolve();
        }
      });
    });
    expect(results.length).toBeGreaterThanOrEqual(2);
    expect(results[0]).toMatchObject({ node: { content: 'with a link' }, hasNext: true });
    expect(results[0]!.node.links).toBeUndefined();
    expect(results.at(-1)).toMatchObject({ node: { links: [{ url: 'https://example.com/a' }] }, hasNext: false });
  });

  it('a graphql-ws client gets the initial result, then the deferred part as its own message', async () => {
    const { client } = wsClient(app, user.token);
    const messages: any[] = [];
    await new Promise<void>((resolve, reject) =>
      client.subscribe({ query: FEED, variables: { id: section.id } }, { next: (m) => void messages.push(m), error: reject, complete: resolve }),
    );
    await client.dispose();
    expect(messages).toHaveLength(2);
    expect(messages[0].hasNext).toBe(true);
    expect(firstNode(messages[0].data).links).toBeUndefined();
    expect(messages[1]).toMatchObject({ hasNext: false, incremental: [{ label: 'links', data: { links: [{ url: 'https://example.com/a' }] } }] });
  });

  it('SSE carries the parts as events in order; a client that takes only JSON is told 406', async () => {
    const ask = (accept: string) =>
      fetch(app.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept, authorization: `Bearer ${user.token}` },
        body: JSON.stringify({ query: FEED, variables: { id: section.id } }),
      });
    const sse = await ask('text/event-stream');
    const events = (await sse.text())
      .split('\n\n')
      .filter((block) => block.startsWith('event: next'))
      .map((block) => JSON.parse(block.slice(block.indexOf('data: ') + 6)));
    expect(events.map((e) => e.hasNext)).toEqual([true, false]);
    expect(events[1].incremental[0].data.links[0].url).toBe('https://example.com/a');
    expect((await ask('application/json')).status).toBe(406);
  });

  it('keeps the limits on deferred fragments: too costly inside @defer is refused before anything runs', async () => {
    const ids = Array.from({ length: 100 }, () => section.id);
    const costly = `query($ids: [ID!]!) { me { id } ... @defer { nodes(ids: $ids) { ... on Section { posts(first: 50) { edges { node { content links { url } } } } } } } }`;
    const res = await fetch(app.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'multipart/mixed, application/json', authorization: `Bearer ${user.token}` },
      body: JSON.stringify({ query: costly, variables: { ids } }),
    });
    const body = await res.json();
    expect(body.data).toBeUndefined();
    expect(body.errors[0].extensions.code).toBe('QUERY_TOO_COSTLY');
  });

  it('keeps the limits on deferred fragments: too deep inside @defer is refused before anything runs', async () => {
    const nested = (depth: number): string => (depth === 0 ? 'id' : `section { posts(first: 1) { edges { node { ${nested(depth - 1)} } } } }`);
    const deep = `query($id: ID!) { section(id: $id) { ... @defer { posts(first: 1) { edges { node { ${nested(3)} } } } } } }`;
    const res = await fetch(app.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'multipart/mixed, application/json', authorization: `Bearer ${user.token}` },
      body: JSON.stringify({ query: deep, variables: { id: section.id } }),
    });
    const body = await res.json();
    expect(body.data).toBeUndefined();
    expect(JSON.stringify(body.errors)).toMatch(/depth/i);
  });
});
