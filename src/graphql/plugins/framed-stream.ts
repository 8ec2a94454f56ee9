import type { ExecutionResult } from 'graphql';

export interface FetchAPI {
  ReadableStream: typeof ReadableStream;
  Response: typeof Response;
  TextEncoder: typeof TextEncoder;
}

/** The headers every streamed subscription answers with, beside its content type. */
export const STREAM_HEADERS = { 'cache-control': 'no-cache', connection: 'keep-alive', 'content-encoding': 'none' } as const;

/** How a subscription's results are written as one HTTP stream (SSE, multipart). */
export interface Framing {
  /** Written first. */
  opening: string;
  /** Written every `keepAliveMs` while the client keeps up, so a quiet stream is not taken for a dead one. */
  keepAlive: string;
  keepAliveMs: number;
  /** One result, written in one piece so nothing comes between its lines. */
  frame(result: ExecutionResult): string;
  /** Written after the last result. */
  closing: string;
}

/**
 * The body of a streamed subscription: one result per pull (the client's
 * reading paces the source), the keep-alive in between, and the source let
 * go when the client goes away.
 */
export function framedStream(source: () => AsyncIterator<ExecutionResult>, framing: Framing, fetchAPI: FetchAPI): ReadableStream<Uint8Array> {
  const encoder = new fetchAPI.TextEncoder();
  let iterator: AsyncIterator<ExecutionResult> | undefined;
  let keepAlive: NodeJS.Timeout | undefined;
  return new fetchAPI.ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(encoder.encode(framing.opening));
      keepAlive = setInterval(() => {
        if ((controller.desiredSize ?? 0) > 0) controller.enqueue(encoder.encode(framing.keepAlive));
      }, framing.keepAliveMs);
      iterator = source();
    },
    async pull(controller) {
      const { value, done } = await iterator!.next();
      if (value != null) controller.enqueue(encoder.encode(framing.frame(value)));
      if (done) {
        clearInterval(keepAlive);
        controller.enqueue(encoder.encode(framing.closing));
        controller.close();
      }
    },
    async cancel() {
      clearInterval(keepAlive);
      await iterator?.return?.();
    },
  });
}
