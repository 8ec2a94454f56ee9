import type { ExecutionResult } from 'graphql';

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
 * Streams a subscription in Apollo's multipart subscription protocol: each
 * result is a JSON part `{"payload": result}` closed by the boundary (so the
 * client reads it at once), an empty `{}` part every 5 s keeps proxies and
 * the client from taking a quiet stream for a dead one, and the closing
 * boundary ends it. One write per part, so nothing comes between its lines.
 */
export function multipartStream(
  source: AsyncIterable<ExecutionResult>,
  fetchAPI: { ReadableStream: typeof ReadableStream; Response: typeof Response; TextEncoder: typeof TextEncoder },
) {
  const encoder = new fetchAPI.TextEncoder();
  let iterator: AsyncIterator<ExecutionResult> | undefined;
  let heartbeat: NodeJS.Timeout | undefined;
  const stream = new fetchAPI.ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(encoder.encode(BOUNDARY));
      heartbeat = setInterval(() => {
        if ((controller.desiredSize ?? 0) > 0) controller.enqueue(encoder.encode(`${PART}{}${BOUNDARY}`));
      }, HEARTBEAT_MS);
      iterator = source[Symbol.asyncIterator]();
    },
    async pull(controller) {
      const { value, done } = await iterator!.next();
      if (value != null) controller.enqueue(encoder.encode(`${PART}{"payload":${JSON.stringify(value)}}${BOUNDARY}`));
      if (done) {
        clearInterval(heartbeat);
        controller.enqueue(encoder.encode('--\r\n'));
        controller.close();
      }
    },
    async cancel() {
      clearInterval(heartbeat);
      await iterator?.return?.();
    },
  });
  return new fetchAPI.Response(stream, {
    status: 200,
    headers: {
      'content-type': 'multipart/mixed;boundary="graphql";subscriptionSpec="1.0"',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
      'content-encoding': 'none',
    },
  });
}
