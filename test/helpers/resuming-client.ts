import { type Client, createClient } from 'graphql-ws';
import WebSocket from 'ws';
import type { App } from '../../src/app.ts';
import { createPost, ok, type TestUser } from './http.ts';
import { Subscription } from './subscriptions.ts';

/**
 * The resume pattern for a bare graphql-ws client, as README shows it: keep
 * the subscription's variables object and write each event's cursor into its
 * `after`. graphql-ws sends that same object again whenever it reconnects, so
 * the server replays exactly what was missed. `urls` are tried in turn on
 * each connection (a load balancer in front of several instances does the
 * same); `cursorOf` picks the cursor out of a result.
 */
export function resumingSubscription<T = any>(options: {
  urls: string[];
  token: string;
  query: string;
  variables?: Record<string, unknown>;
  /** Where to start: a cursor (from an earlier event or a query), or null for from now on. */
  after?: string | null;
  cursorOf: (data: T) => string;
}): { sub: Subscription<T>; client: Client; connections: () => number } {
  const variables: Record<string, unknown> = { ...options.variables, after: options.after ?? null };
  let connections = 0;
  const client = createClient({
    url: () => options.urls[connections++ % options.urls.length]!.replace(/^http/, 'ws'),
    webSocketImpl: WebSocket,
    connectionParams: { authorization: `Bearer ${options.token}` },
    lazy: false,
    retryAttempts: 20,
    // The client's own back-off between attempts (short here: the other instance is up).
    retryWait: () => new Promise((resolve) => setTimeout(resolve, 100)),
    shouldRetry: () => true,
    onNonLazyError: () => {},
  });
  const sub = new Subscription<T>();
  sub.dispose = client.subscribe<T>(
    { query: options.query, variables },
    {
      next: (result) => {
        if (result.errors) return sub.fail(result.errors);
        variables.after = options.cursorOf(result.data as T);
        sub.push(result.data as T);
      },
      error: (err) => sub.fail(err),
      complete: () => sub.complete(),
    },
  );
  return { sub, client, connections: () => connections };
}

/** postCreated with its cursor, resumable: what the instance-death suites subscribe to. */
export const RESUMABLE_POSTS = 'subscription($id: ID!, $after: String) { postCreated(sectionId: $id, after: $after) { content cursor } }';

/**
 * A known point to start from: a post created now and its cursor read back by a query, so that nothing
 * committed afterwards can slip past subscribers that start after it.
 */
export async function cursorAfterNewPost(app: Pick<App, 'url'>, user: TestUser, sectionId: string): Promise<string> {
  await createPost(app, user, sectionId, 'before');
  const feed = await ok(app, 'query($id: ID!) { section(id: $id) { posts(first: 1) { edges { node { cursor } } } } }', { id: sectionId }, user.token);
  return feed.section.posts.edges[0].node.cursor as string;
}

/** `count` resuming postCreated subscribers of a section from `after`, each on a client (and socket) of its own. */
export function resumingPostSubscribers(count: number, options: { urls: string[]; token: string; sectionId: string; after: string }) {
  return Array.from({ length: count }, () =>
    resumingSubscription<{ postCreated: { content: string; cursor: string } }>({
      urls: options.urls,
      token: options.token,
      query: RESUMABLE_POSTS,
      variables: { id: options.sectionId },
      after: options.after,
      cursorOf: (data) => data.postCreated.cursor,
    }),
  );
}
