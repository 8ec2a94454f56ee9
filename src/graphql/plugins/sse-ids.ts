import type { ExecutionResult } from 'graphql';
import { isAsyncIterable, type Plugin } from 'graphql-yoga';
import { type FetchAPI, type Framing, framedStream, STREAM_HEADERS } from './framed-stream.ts';
import { acceptsMultipartSubscription, multipartStream } from './multipart-subscriptions.ts';

const PING_MS = 12_000;
/** What a subscription over HTTP may be asked for as (the 406's Accept). */
const STREAM_TYPES = 'text/event-stream, multipart/mixed;subscriptionSpec="1.0"';

/**
 * Serves subscriptions over SSE the standard way: each event carries `id:`,
 * its cursor (from `extensions.cursor`), so a reconnecting EventSource sends
 * `Last-Event-ID` and resumes where it stopped without any client code.
 * Otherwise as Yoga's own (graphql-sse's distinct connections mode): a ping
 * comment first and every 12 s, `next` events, then `complete`. Each event is
 * one write, so nothing can come between its lines.
 *
 * A subscription over HTTP is only served as such a stream, or as Apollo
 * Client's multipart subscription (multipart-subscriptions.ts): the server
 * admits those two (connection caps, token expiry). Asked for any other way
 * (an Accept of any type, Yoga's incremental multipart/mixed), Yoga would
 * stream it outside that admission; it is refused with 406, as Yoga refuses
 * one asked for as JSON, and its subscription ended at once.
 *
 * A query or mutation that asks for incremental delivery (@defer, @stream) is
 * a stream too, but a short one that holds no subscription: it goes out as SSE
 * when asked so, else as Yoga writes it (multipart/mixed, the incremental
 * delivery format Apollo Client and urql read).
 */
export function useSseWithIds(): Plugin {
  /** Requests whose operation is a query or a mutation (executed, not subscribed): their streams are incremental results. */
  const executed = new WeakSet<object>();
  return {
    onExecute({ args }) {
      const request = (args.contextValue as { request?: object } | undefined)?.request;
      if (request) executed.add(request);
    },
    onResultProcess({ request, result, setResultProcessor }) {
      const accept = request.headers.get('accept');
      if (!accept?.includes('text/event-stream')) {
        if (!isAsyncIterable(result) || executed.has(request)) return;
        if (acceptsMultipartSubscription(accept)) {
          setResultProcessor((stream, fetchAPI) => multipartStream(stream as AsyncIterable<ExecutionResult>, fetchAPI), 'multipart/mixed');
        } else {
          setResultProcessor((stream, fetchAPI) => notAcceptable(stream as AsyncIterable<unknown>, fetchAPI), 'application/json');
        }
        return;
      }
      setResultProcessor(
        (result, fetchAPI) => eventStream(result as ExecutionResult | AsyncIterable<ExecutionResult>, fetchAPI),
        'text/event-stream',
      );
    },
  };
}

/** SSE as graphql-sse's distinct connections mode writes it, each event's cursor as its `id:`. */
const SSE: Framing = {
  opening: ':\n\n',
  keepAlive: ':\n\n',
  keepAliveMs: PING_MS,
  frame(result) {
    const cursor = result.extensions?.cursor;
    const id = typeof cursor === 'string' ? `id: ${cursor}\n` : '';
    return `event: next\n${id}data: ${JSON.stringify(result)}\n\n`;
  },
  closing: 'event: complete\ndata:\n\n',
};

function eventStream(result: ExecutionResult | AsyncIterable<ExecutionResult>, fetchAPI: FetchAPI) {
  const stream = framedStream(() => (isAsyncIterable(result) ? result[Symbol.asyncIterator]() : once(result)), SSE, fetchAPI);
  return new fetchAPI.Response(stream, {
    // A refusal before execution (CSRF, a bad request) keeps its HTTP status, as Yoga's own processor does.
    status: isAsyncIterable(result) ? 200 : statusOf(result),
    headers: { 'content-type': 'text/event-stream', ...STREAM_HEADERS },
  });
}

async function notAcceptable(stream: AsyncIterable<unknown>, fetchAPI: { Response: typeof Response }) {
  await stream[Symbol.asyncIterator]().return?.();
  return new fetchAPI.Response(null, { status: 406, statusText: 'Not Acceptable', headers: { accept: STREAM_TYPES } });
}

function statusOf(result: ExecutionResult): number {
  const statuses = (result.errors ?? []).map((e) => (e.extensions?.http as { status?: number } | undefined)?.status ?? 0);
  return Math.max(200, ...statuses);
}

function once(result: ExecutionResult): AsyncIterator<ExecutionResult> {
  let sent = false;
  return {
    next: async () => (sent ? { value: undefined, done: true } : ((sent = true), { value: result, done: false })),
  };
}
