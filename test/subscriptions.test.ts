import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../src/app.ts';
import { startTestApp, TEST_JWT_SECRET } from './helpers/app.ts';
import { createPost, createSection, localIdOf, ok, signUp, type TestUser } from './helpers/http.ts';
import { listening, subscribeSse, subscribeWs, wsClient } from './helpers/subscriptions.ts';

const POST_CREATED =
  'subscription($id: ID!) { postCreated(sectionId: $id) { id content author { username } links { url status } } }';
const REACTIONS =
  'subscription($id: ID!) { postReactionsChanged(sectionId: $id) { id reactions { emoji count viewerHasReacted } } }';

let app: App;
let alice: TestUser;
let bob: TestUser;
let section: { id: string };

beforeAll(async () => {
  app = await startTestApp({ env: { CORS_ORIGINS: 'https://app.example' } });
  alice = await signUp(app, 'alice');
  bob = await signUp(app, 'bob');
  section = await createSection(app, alice);
});
afterAll(() => app?.stop());

describe('postCreated', () => {
  it('reaches a graphql-ws subscriber when another user posts, and only for its section', async () => {
    const other = await createSection(app, alice);
    const { client } = wsClient(app, alice.token);
    const ready = listening(app, `post:created:${localIdOf(section.id)}`);
    const sub = subscribeWs(client, POST_CREATED, { id: section.id });
    await ready;
    await createPost(app, bob, other.id, 'elsewhere');
    const post = await createPost(app, bob, section.id, 'hello from bob', ['https://example.com/x']);
    const [event] = await sub.waitFor(1);
    expect(event.postCreated).toEqual({
      id: post.id,
      content: 'hello from bob',
      author: { username: bob.username },
      links: [{ url: 'https://example.com/x', status: 'PENDING' }],
    });
    expect(sub.results).toHaveLength(1);
    sub.dispose();
    await client.dispose();
  });

  it('reaches an SSE subscriber', async () => {
    const ready = listening(app, `post:created:${localIdOf(section.id)}`);
    const sub = subscribeSse(app, alice.token, POST_CREATED, { id: section.id });
    await ready;
    const post = await createPost(app, bob, section.id, 'over SSE');
    const [event] = await sub.waitFor(1);
    expect(event.postCreated).toMatchObject({ id: post.id, content: 'over SSE' });
    sub.dispose();
  });

  it('refuses an unknown section with NOT_FOUND and an anonymous SSE subscriber with UNAUTHENTICATED', async () => {
    const { client } = wsClient(app, alice.token);
    const unknown = Buffer.from('Section:00000000-0000-4000-8000-000000000000').toString('base64');
    const sub = subscribeWs(client, POST_CREATED, { id: unknown });
    expect(JSON.stringify(await sub.waitForError())).toContain('NOT_FOUND');
    await client.dispose();
    const anon = subscribeSse(app, '', POST_CREATED, { id: section.id });
    expect(JSON.stringify(await anon.waitForError())).toContain('UNAUTHENTICATED');
    anon.dispose();
  });
});

describe('postReactionsChanged', () => {
  it('delivers the new counts, with the subscriber’s own flag', async () => {
    const post = await createPost(app, alice, section.id, 'react to me');
    const { client } = wsClient(app, alice.token);
    const ready = listening(app, `post:reactionsChanged:${localIdOf(section.id)}`);
    const sub = subscribeWs(client, REACTIONS, { id: section.id });
    await ready;
    await ok(
      app,
      'mutation($i: ReactionInput!) { addReaction(input: $i) { id } }',
      { i: { postId: post.id, emoji: '🎉' } },
      bob.token,
    );
    // Adding the same reaction again is not a change: no second event.
    await ok(
      app,
      'mutation($i: ReactionInput!) { addReaction(input: $i) { id } }',
      { i: { postId: post.id, emoji: '🎉' } },
      bob.token,
    );
    await ok(
      app,
      'mutation($i: ReactionInput!) { addReaction(input: $i) { id } }',
      { i: { postId: post.id, emoji: '🎉' } },
      alice.token,
    );
    const events = await sub.waitFor(2);
    // Each event is resolved when delivered, so the first may already show both reactions; the last is exact.
    expect(events.map((e) => e.postReactionsChanged.id)).toEqual([post.id, post.id]);
    expect(events[1].postReactionsChanged.reactions).toEqual([{ emoji: '🎉', count: 2, viewerHasReacted: true }]);
    sub.dispose();
    await client.dispose();
  });
});

describe('executions shared between viewers', () => {
  it("shares an event's execution only where nothing selected depends on the viewer", async () => {
    const post = await createPost(app, alice, section.id, 'react to me');
    const ready = Promise.all([listening(app, `post:reactionsChanged:${localIdOf(section.id)}`), listening(app, `post:reactionsChanged:${localIdOf(section.id)}`)]);
    const [a, b] = [wsClient(app, alice.token).client, wsClient(app, bob.token).client];
    const [subA, subB] = [subscribeWs(a, REACTIONS, { id: section.id }), subscribeWs(b, REACTIONS, { id: section.id })];
    const [plainA, plainB] = [
      subscribeWs(a, 'subscription($id: ID!) { postReactionsChanged(sectionId: $id) { id reactions { emoji count } } }', { id: section.id }),
      subscribeWs(b, 'subscription($id: ID!) { postReactionsChanged(sectionId: $id) { id reactions { emoji count } } }', { id: section.id }),
    ];
    await ready;
    await ok(app, 'mutation($i: ReactionInput!) { addReaction(input: $i) { id } }', { i: { postId: post.id, emoji: '👀' } }, bob.token);
    expect((await subA.waitFor(1))[0].postReactionsChanged.reactions).toEqual([{ emoji: '👀', count: 1, viewerHasReacted: false }]);
    expect((await subB.waitFor(1))[0].postReactionsChanged.reactions).toEqual([{ emoji: '👀', count: 1, viewerHasReacted: true }]);
    expect((await plainA.waitFor(1))[0]).toEqual((await plainB.waitFor(1))[0]);
    for (const sub of [subA, subB, plainA, plainB]) sub.dispose();
    await Promise.all([a.dispose(), b.dispose()]);
  });
});

describe('WebSocket authentication', () => {
  it('closes with 4403 without a token, with a bad token and with an expired one', async () => {
    const expired = await new SignJWT({})
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(localIdOf(alice.id))
      .setIssuer('plaza')
      .setAudience('plaza-api')
      .setExpirationTime(Math.floor(Date.now() / 1000) - 60)
      .sign(new TextEncoder().encode(TEST_JWT_SECRET));
    for (const token of [undefined, 'not-a-token', `${alice.token}x`, expired]) {
      const { client, closed } = wsClient(app, token);
      expect(await closed, String(token)).toBe(4403);
      await client.dispose();
    }
  });

  it('refuses a browser Origin that CORS_ORIGINS does not list, and admits one it does', async () => {
    const refused = wsClient(app, alice.token, { origin: 'https://evil.example' });
    expect(await refused.closed).not.toBe(1000);
    await refused.client.dispose();

    const admitted = wsClient(app, alice.token, { origin: 'https://app.example' });
    const data = await new Promise((resolve, reject) => {
      admitted.client.subscribe({ query: '{ me { username } }' }, { next: resolve, error: reject, complete: () => {} });
    });
    expect(data).toEqual({ data: { me: { username: alice.username } } });
    await admitted.client.dispose();
  });
});

describe('subscriptions over HTTP', () => {
  // Only an event stream or Apollo's multipart subscription is admitted (caps, token expiry); any other
  // way of asking (Yoga's own incremental multipart among them) would stream outside that.
  it.each([['any type', '*/*'], ['incremental multipart', 'multipart/mixed, application/json']])(
    'are refused with 406 when asked for as %s, holding nothing',
    async (_name, accept) => {
      const body = JSON.stringify({ query: 'subscription($id: ID!) { postCreated(sectionId: $id) { id } }', variables: { id: section.id } });
      const res = await fetch(app.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept, authorization: `Bearer ${alice.token}` },
        body,
        signal: AbortSignal.timeout(10_000),
      });
      expect(res.status).toBe(406);
      expect(res.headers.get('accept')).toBe('text/event-stream, multipart/mixed;subscriptionSpec="1.0"');
      expect(await res.text()).toBe('');
      expect(app.runtime.streams.subscriberCounts().get('post:created') ?? 0).toBe(0);
    },
  );
});
