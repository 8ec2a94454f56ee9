import { ApolloClient, gql as apolloGql, InMemoryCache } from '@apollo/client';
import { GraphQLWsLink } from '@apollo/client/link/subscriptions';
import { createClient as createUrqlClient, gql as urqlGql, subscriptionExchange } from '@urql/core';
import { createClient as createWsClient } from 'graphql-ws';
import { pipe, subscribe } from 'wonka';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../src/app.ts';
import { startTestApp } from './helpers/app.ts';
import { createPost, createSection, localIdOf, signUp, type TestUser } from './helpers/http.ts';
import { listening, wsUrl } from './helpers/subscriptions.ts';

/**
 * The resume pattern with Apollo Client and urql, as docs/clients.md describes it:
 * keep the last cursor; when the subscription fails (its socket gave up),
 * subscribe again with `after` set to it.
 */
const POSTS = 'subscription($id: ID!, $after: String) { postCreated(sectionId: $id, after: $after) { content cursor } }';

let app: App;
let user: TestUser;
beforeAll(async () => {
  app = await startTestApp();
  user = await signUp(app);
});
afterAll(() => app?.stop());

const wsClient = () =>
  createWsClient({
    url: wsUrl(app),
    webSocketImpl: WebSocket,
    connectionParams: { authorization: `Bearer ${user.token}` },
    // Give up at once so the subscription errors and the application resubscribes with its cursor.
    retryAttempts: 0,
    lazy: true,
  });

/** What a component would keep: every content received, the last cursor, and a way to wait. */
class Feed {
  contents: string[] = [];
  after: string | null = null;
  private waiters: Array<() => void> = [];
  add(event: { content: string; cursor: string }) {
    this.contents.push(event.content);
    this.after = event.cursor;
    for (const wake of this.waiters.splice(0)) wake();
  }
  async until(count: number, timeoutMs = 10_000) {
    const deadline = Date.now() + timeoutMs;
    while (this.contents.length < count) {
      if (Date.now() > deadline) throw new Error(`${this.contents.length} of ${count}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, deadline - Date.now());
        this.waiters.push(() => (clearTimeout(timer), resolve()));
      });
    }
  }
}

async function scenario(section: { id: string }, start: (feed: Feed) => void) {
  const feed = new Feed();
  const channel = `post:created:${localIdOf(section.id)}`;
  let live = listening(app, channel);
  start(feed);
  await live;
  for (const content of ['one', 'two']) await createPost(app, user, section.id, content);
  await feed.until(2);
  live = listening(app, channel);
  for (const socket of app.server.wss.clients) socket.terminate();
  for (const content of ['three', 'four']) await createPost(app, user, section.id, content);
  await live;
  await createPost(app, user, section.id, 'five');
  await feed.until(5);
  return feed;
}

describe('resuming with a cursor', () => {
  it('Apollo Client (GraphQLWsLink)', async () => {
    const section = await createSection(app, user);
    const ws = wsClient();
    const apollo = new ApolloClient({ link: new GraphQLWsLink(ws), cache: new InMemoryCache() });
    const query = apolloGql(POSTS);
    const feed = await scenario(section, (feed) => {
      const run = () =>
        apollo.subscribe({ query, variables: { id: section.id, after: feed.after } }).subscribe({
          // Apollo Client 4 hands a failed subscription's error to `next`; older versions to `error`.
          next: ({ data, error }) => {
            if (error) return run();
            if (data) feed.add((data as { postCreated: { content: string; cursor: string } }).postCreated);
          },
          error: run,
        });
      run();
    });
    expect(feed.contents).toEqual(['one', 'two', 'three', 'four', 'five']);
    await ws.dispose();
  });

  it('urql (subscriptionExchange over graphql-ws)', async () => {
    const section = await createSection(app, user);
    const ws = wsClient();
    const urql = createUrqlClient({
      url: app.url,
      exchanges: [
        subscriptionExchange({
          forwardSubscription: (request) => ({
            subscribe: (sink) => ({ unsubscribe: ws.subscribe({ ...request, query: request.query ?? '' }, sink) }),
          }),
        }),
      ],
    });
    const query = urqlGql(POSTS);
    const feed = await scenario(section, (feed) => {
      const run = () =>
        pipe(
          urql.subscription(query, { id: section.id, after: feed.after }),
          subscribe((result) => {
            if (result.error) return run();
            const event = (result.data as { postCreated?: { content: string; cursor: string } } | undefined)?.postCreated;
            if (event) feed.add(event);
          }),
        );
      run();
    });
    expect(feed.contents).toEqual(['one', 'two', 'three', 'four', 'five']);
    await ws.dispose();
  });
});
