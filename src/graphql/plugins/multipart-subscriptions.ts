import type { ExecutionResult } from 'graphql';
import { type FetchAPI, type Framing, framedStream, STREAM_HEADERS } from './framed-stream.ts';

const HEARTBEAT_MS = 5_000;
const BOUNDARY = '\r\n--graphql';
const PART = '\r\ncontent-type: application/json; charset=utf-8\r\n\r\n';

/**
 * Whether a request asks for a subscription the way Apollo Client's HttpLink
 * does when it has no WebSocket link: `multipart/mixed` with
 * `subscriptionSpec=1.0` (Apollo's "multipart HTTP subscriptions").
 */
export function acceptsMultipartSubscription(accept: string | null | undefined): boolean {
  return accept != null && /multipart\/mixed[^,]*;\s*subscriptionSpec="?1\.0/i.test(accept);
}

/**
 * Apollo's multipart subscription protocol: each result a JSON part
 * `{"payload": result}` closed by the boundary (so the client reads it at
 * once), an empty `{}` part every 5 s while nothing happens, and the closing
 * boundary at the end.
 */
const MULTIPART: Framing = {
  opening: BOUNDARY,
  keepAlive: `${PART}{}${BOUNDARY}`,
  keepAliveMs: HEARTBEAT_MS,
  frame: (result) => `${PART}{"payload":${JSON.stringify(result)}}${BOUNDARY}`,
  closing: '--\r\n',
};

/** Streams a subscription as Apollo Client's HttpLink reads it. */
export function multipartStream(source: AsyncIterable<ExecutionResult>, fetchAPI: FetchAPI) {
  return new fetchAPI.Response(framedStream(() => source[Symbol.asyncIterator](), MULTIPART, fetchAPI), {
    status: 200,
    headers: { 'content-type': 'multipart/mixed;boundary="graphql";subscriptionSpec="1.0"', ...STREAM_HEADERS },
  });
}
