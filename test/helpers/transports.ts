import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import type { App } from '../../src/app.ts';
import { wsUrl } from './subscriptions.ts';

export type Transport = 'http' | 'sse' | 'ws';
export const TRANSPORTS: Transport[] = ['http', 'sse', 'ws'];

/** What one operation got back, whatever the transport. */
export interface Outcome {
  /** HTTP status (HTTP, SSE) or the refused handshake's status (WebSocket). */
  status?: number;
  /** The WebSocket's close code, when it was closed instead of answering. */
  closeCode?: number;
  data?: Record<string, any> | null;
  errors?: Array<{ message: string; extensions?: Record<string, any> }>;
  headers?: Headers;
}

export interface RunOptions {
  token?: string;
  origin?: string;
  variables?: Record<string, unknown>;
}

/** Runs one operation over the given transport and returns its first result, as a client would see it. */
export function run(app: Pick<App, 'url'>, transport: Transport, query: string, options: RunOptions = {}): Promise<Outcome> {
  if (transport === 'ws') return overWs(app, query, options);
  return overHttp(app, transport, query, options);
}

async function overHttp(app: Pick<App, 'url'>, transport: 'http' | 'sse', query: string, { token, origin, variables = {} }: RunOptions) {
  const res = await fetch(app.url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: transport === 'sse' ? 'text/event-stream' : 'application/graphql-response+json, application/json',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(origin ? { origin } : {}),
    },
    body: JSON.stringify({ query, variables }),
  });
  const type = res.headers.get('content-type') ?? '';
  if (!type.includes('text/event-stream')) {
    const body = (await res.json()) as Outcome;
    return { status: res.status, headers: res.headers, ...body };
  }
  // The first `next` event of the stream, read as an EventSource would, then the stream is left.
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let text = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    text += decoder.decode(value, { stream: true });
    const match = /event: next\ndata: (.*)\n\n/.exec(text);
    if (match) {
      await reader.cancel();
      return { status: res.status, headers: res.headers, ...(JSON.parse(match[1]!) as Outcome) };
    }
  }
  return { status: res.status, headers: res.headers };
}

function overWs(app: Pick<App, 'url'>, query: string, { token, origin, variables = {} }: RunOptions): Promise<Outcome> {
  return new Promise((resolve) => {
    let status: number | undefined;
    const client = createClient({
      url: wsUrl(app),
      webSocketImpl: class extends WebSocket {
        constructor(address: string, protocols?: string | string[]) {
          super(address, protocols, origin ? { origin } : {});
          // A refused handshake surfaces as an error naming the HTTP status.
          this.on('error', (err: Error) => {
            const match = /Unexpected server response: (\d+)/.exec(err.message);
            if (match) status = Number(match[1]);
          });
        }
      },
      connectionParams: token ? { authorization: `Bearer ${token}` } : {},
      retryAttempts: 0,
      lazy: true,
      on: {
        closed: (event) => {
          const code = (event as { code?: number }).code;
          resolve({ ...(status ? { status } : {}), ...(code && code !== 1000 && code !== 1006 ? { closeCode: code } : {}) });
        },
      },
    });
    const dispose = client.subscribe(
      { query, variables },
      {
        next: (result) => {
          resolve(result as Outcome);
          dispose();
          void client.dispose();
        },
        error: (err) => {
          if (Array.isArray(err)) resolve({ errors: err });
          else if (status) resolve({ status });
          void client.dispose();
        },
        complete: () => {},
      },
    );
  });
}
