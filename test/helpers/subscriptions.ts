import { createClient as createSseClient } from 'graphql-sse';
import { type Client, createClient } from 'graphql-ws';
import WebSocket from 'ws';
import type { App } from '../../src/app.ts';
import { localIdOf } from './http.ts';

export const wsUrl = (app: Pick<App, 'url'>) => app.url.replace(/^http/, 'ws');

/** A graphql-ws client as Apollo/urql use it; `closed` resolves with the close code. */
export function wsClient(app: Pick<App, 'url'>, token?: string, extra: { origin?: string } = {}) {
  let resolveClosed: (code: number) => void = () => {};
  const closed = new Promise<number>((resolve) => {
    resolveClosed = resolve;
  });
  const client: Client = createClient({
    url: wsUrl(app),
    webSocketImpl: class extends WebSocket {
      constructor(address: string, protocols?: string | string[]) {
        super(address, protocols, extra.origin ? { origin: extra.origin } : {});
      }
    },
    connectionParams: token ? { authorization: `Bearer ${token}` } : {},
    retryAttempts: 0,
    lazy: false,
    on: { closed: (event) => resolveClosed((event as { code: number }).code) },
    onNonLazyError: () => {},
  });
  return { client, closed };
}

/** Collects a subscription's results and lets a test wait for the next one, with a timeout. */
export class Subscription<T = any> {
  readonly results: T[] = [];
  readonly errors: unknown[] = [];
  private waiters: Array<() => void> = [];
  completed = false;
  dispose: () => void = () => {};

  push(value: T) {
    this.results.push(value);
    this.wake();
  }

  fail(error: unknown) {
    this.errors.push(error);
    this.wake();
  }

  complete() {
    this.completed = true;
    this.wake();
  }

  private wake() {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }

  /** Resolves when `count` results have arrived; rejects after `timeoutMs`. */
  async waitFor(count: number, timeoutMs = 5_000): Promise<T[]> {
    const deadline = Date.now() + timeoutMs;
    while (this.results.length < count) {
      if (this.errors.length) throw new Error(`subscription failed: ${JSON.stringify(this.errors)}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for ${count} results; have ${this.results.length}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    return this.results.slice(0, count);
  }

  /** Resolves with the first error (or completion) within the timeout. */
  async waitForError(timeoutMs = 5_000): Promise<unknown> {
    const deadline = Date.now() + timeoutMs;
    while (!this.errors.length) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error('timed out waiting for an error');
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    return this.errors[0];
  }
}

/** Subscribes over graphql-ws; results are each `data` payload. */
export function subscribeWs<T = any>(client: Client, query: string, variables: Record<string, unknown> = {}) {
  const sub = new Subscription<T>();
  sub.dispose = client.subscribe<T>(
    { query, variables },
    {
      next: (result) => (result.errors ? sub.fail(result.errors) : sub.push(result.data as T)),
      error: (err) => sub.fail(err),
      complete: () => sub.complete(),
    },
  );
  return sub;
}

/** Subscribes over SSE (graphql-sse, distinct connections mode, as Yoga serves it). */
export function subscribeSse<T = any>(
  app: Pick<App, 'url'>,
  token: string,
  query: string,
  variables: Record<string, unknown> = {},
) {
  const client = createSseClient({ url: app.url, headers: { authorization: `Bearer ${token}` }, retryAttempts: 0 });
  const sub = new Subscription<T>();
  const dispose = client.subscribe<T>(
    { query, variables },
    {
      next: (result) => (result.errors ? sub.fail(result.errors) : sub.push(result.data as T)),
      error: (err) => sub.fail(err),
      complete: () => sub.complete(),
    },
  );
  sub.dispose = () => {
    dispose();
    client.dispose();
  };
  return sub;
}

/** Per instance, who waits for a subscriber to join each channel, oldest first. */
const joinWaiters = new WeakMap<object, Map<string, Array<() => void>>>();

/**
 * Resolves when a subscriber joins the `topic:key` stream on `app` (the
 * broker's `watching` event): the moment a subscription is live and an event
 * committed afterwards will reach it. Each join resolves one waiter, the
 * oldest: two calls for the same channel wait for two joins.
 */
export function listening(app: App, channel: string, timeoutMs = 5_000): Promise<void> {
  const events = app.runtime.broker.events;
  let waiters = joinWaiters.get(events);
  if (!waiters) {
    const byChannel = new Map<string, Array<() => void>>();
    waiters = byChannel;
    joinWaiters.set(events, byChannel);
    events.on('watching', (joined: string) => byChannel.get(joined)?.shift()?.());
  }
  const queue = waiters.get(channel) ?? [];
  waiters.set(channel, queue);
  return new Promise((resolve, reject) => {
    const waiter = () => {
      clearTimeout(timer);
      resolve();
    };
    const timer = setTimeout(() => {
      const at = queue.indexOf(waiter);
      if (at >= 0) queue.splice(at, 1);
      reject(new Error(`no subscriber on ${channel} within ${timeoutMs} ms`));
    }, timeoutMs);
    queue.push(waiter);
  });
}


/**
 * A graphql-ws client that also exposes its raw socket (to send a ping with a
 * payload, as token renewal does), every pong payload, and how often it connected.
 */
export function wsClientWithSocket(app: Pick<App, 'url'>, token: string) {
  let socket: WebSocket | undefined;
  const pongs: unknown[] = [];
  let connections = 0;
  let onPong: (() => void) | undefined;
  let resolveConnected: () => void = () => {};
  const connected = new Promise<void>((resolve) => {
    resolveConnected = resolve;
  });
  const { client, closed } = (() => {
    let resolveClosed: (event: { code: number; reason: string }) => void = () => {};
    const closed = new Promise<{ code: number; reason: string }>((resolve) => {
      resolveClosed = resolve;
    });
    const client = createClient({
      url: wsUrl(app),
      webSocketImpl: WebSocket,
      connectionParams: { authorization: `Bearer ${token}` },
      retryAttempts: 0,
      lazy: false,
      onNonLazyError: () => {},
      on: {
        connected: (s) => {
          socket = s as WebSocket;
          connections += 1;
          resolveConnected();
        },
        pong: (_received, payload) => {
          pongs.push(payload);
          onPong?.();
        },
        closed: (event) => {
          const { code, reason } = event as { code: number; reason: Buffer | string };
          resolveClosed({ code, reason: String(reason) });
        },
      },
    });
    return { client, closed };
  })();
  return {
    client,
    closed,
    /** Resolves once the server has acknowledged the connection. */
    connected,
    get connections() {
      return connections;
    },
    /** Sends `{"type":"ping","payload":{"authorization":"Bearer <token>"}}` and resolves with the pong's payload. */
    async renew(newToken: string, timeoutMs = 5_000): Promise<unknown> {
      if (!socket) throw new Error('not connected yet');
      const answered = new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('no pong')), timeoutMs);
        onPong = () => {
          clearTimeout(timer);
          resolve();
        };
        void closed.then(({ code }) => {
          clearTimeout(timer);
          reject(new Error(`closed with ${code} before the pong`));
        });
      });
      socket.send(JSON.stringify({ type: 'ping', payload: { authorization: `Bearer ${newToken}` } }));
      await answered;
      return pongs.at(-1);
    },
  };
}

/** Resolves after the server's connection sweep has run at a time later than `time` (epoch ms). */
export function sweptAfter(app: App, time: number, timeoutMs = 10_000): Promise<void> {
  const events = app.server.registry.events;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      events.off('swept', onSweep);
      reject(new Error(`no sweep after ${new Date(time).toISOString()} within ${timeoutMs} ms`));
    }, timeoutMs);
    function onSweep(now: number) {
      if (now <= time) return;
      clearTimeout(timer);
      events.off('swept', onSweep);
      resolve();
    }
    events.on('swept', onSweep);
  });
}

/** A graphql-ws subscription to a section's `linkMetadataUpdated` (`query`), resolved once the server listens for it. */
export async function watchLinks<T = any>(app: App, token: string, sectionId: string, query: string) {
  const { client } = wsClient(app, token);
  const ready = listening(app, `link:updated:${localIdOf(sectionId)}`);
  const updates = subscribeWs<T>(client, query, { id: sectionId });
  await ready;
  return { client, updates };
}
