import { type Client, createClient } from 'graphql-ws';
import WebSocket from 'ws';
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
