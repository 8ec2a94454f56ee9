import { EventSource } from 'eventsource';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../src/app.ts';
import { startTestApp } from './helpers/app.ts';
import { createPost, createSection, localIdOf, ok, signUp, type TestUser } from './helpers/http.ts';
import { resumingSubscription } from './helpers/resuming-client.ts';
import { listening } from './helpers/subscriptions.ts';

/** Clients that lose their connection while events flow, and resume with every one of them, in order. */
const POSTS = 'subscription($id: ID!, $after: String) { postCreated(sectionId: $id, after: $after) { content cursor } }';

let app: App;
let user: TestUser;
beforeAll(async () => {
  app = await startTestApp();
  user = await signUp(app);
});
afterAll(() => app?.stop());

async function startCursor(section: { id: string }): Promise<string> {
  await createPost(app, user, section.id, 'start');
  const feed = await ok(app, 'query($id: ID!) { section(id: $id) { posts(first: 1) { edges { node { cursor } } } } }', { id: section.id }, user.token);
  return feed.section.posts.edges[0].node.cursor;
}

describe('a client that loses its connection', () => {
  it('graphql-ws: reconnects on its own and resumes after its last cursor', async () => {
    const section = await createSection(app, user);
    const { sub, client, connections } = resumingSubscription<{ postCreated: { content: string; cursor: string } }>({
      urls: [app.url],
      token: user.token,
      query: POSTS,
      variables: { id: section.id },
      after: await startCursor(section),
      cursorOf: (data) => data.postCreated.cursor,
    });
    for (const content of ['one', 'two']) await createPost(app, user, section.id, content);
    await sub.waitFor(2);
    // The network drops every socket at once.
    for (const socket of app.server.wss.clients) socket.terminate();
    for (const content of ['three', 'four', 'five']) await createPost(app, user, section.id, content);
    await sub.waitFor(5);
    expect(sub.results.map((r) => r.postCreated.content)).toEqual(['one', 'two', 'three', 'four', 'five']);
    expect(connections()).toBe(2);
    sub.dispose();
    await client.dispose();
  });

  it('EventSource: reconnects with Last-Event-ID and resumes without any code of its own', async () => {
    const section = await createSection(app, user);
    const url = new URL(app.url);
    url.searchParams.set('query', POSTS);
    url.searchParams.set('variables', JSON.stringify({ id: section.id }));
    const received: string[] = [];
    const ids: string[] = [];
    let wake: () => void = () => {};
    const source = new EventSource(url, {
      // The token goes in a header (never the URL); a browser would use a cookie or a proxy for this.
      fetch: (input, init) => fetch(input, { ...init, headers: { ...init?.headers, authorization: `Bearer ${user.token}` } }),
    });
    source.addEventListener('next', (event) => {
      received.push(JSON.parse(event.data).data.postCreated.content);
      ids.push(event.lastEventId);
      wake();
    });
    const until = (n: number, timeoutMs = 15_000) =>
      new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`${received.length} of ${n} events`)), timeoutMs);
        const check = () => {
          if (received.length < n) return;
          clearTimeout(timer);
          resolve();
        };
        wake = check;
        check();
      });
    const live = listening(app, `post:created:${localIdOf(section.id)}`);
    await live;
    for (const content of ['one', 'two']) await createPost(app, user, section.id, content);
    await until(2);
    const reconnected = listening(app, `post:created:${localIdOf(section.id)}`, 15_000);
    // The network drops the stream.
    for (const connection of app.server.registry.list()) if (connection.kind === 'sse') connection.destroy();
    for (const content of ['three', 'four']) await createPost(app, user, section.id, content);
    await reconnected;
    await createPost(app, user, section.id, 'five');
    await until(5);
    expect(received).toEqual(['one', 'two', 'three', 'four', 'five']);
    expect(new Set(ids).size).toBe(5);
    source.close();
  }, 30_000);
});
