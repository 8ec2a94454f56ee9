import { GraphQLError } from 'graphql';
import { isAsyncIterable, type Plugin } from 'graphql-yoga';
import type { AppError } from '../../lib/errors.ts';

/** What a transport gives a subscription so the server can end it (token expired, signed out). */
export interface Ending {
  /** Aborted with an AppError saying why. */
  signal: AbortSignal;
}

/**
 * Ends a subscription cleanly when its connection must end: one last result
 * carrying the reason as an error with its code, then completion. An SSE
 * client learns why its stream stopped instead of seeing a dropped socket.
 */
export function useConnectionEnd(): Plugin<{ ending?: Ending }> {
  return {
    onSubscribe({ args }) {
      const signal = (args.contextValue as { ending?: Ending }).ending?.signal;
      if (!signal) return;
      return {
        onSubscribeResult({ result, setResult }) {
          if (isAsyncIterable(result)) setResult(endWhenAborted(result, signal));
        },
      };
    },
  };
}

function endWhenAborted<T>(source: AsyncIterable<T>, signal: AbortSignal): AsyncIterableIterator<T | { errors: GraphQLError[] }> {
  const iterator = source[Symbol.asyncIterator]();
  let finished = false;
  const aborted = new Promise<'aborted'>((resolve) => {
    if (signal.aborted) resolve('aborted');
    else signal.addEventListener('abort', () => resolve('aborted'), { once: true });
  });
  const finish = async () => {
    finished = true;
    await iterator.return?.();
  };
  return {
    async next() {
      if (finished) return { value: undefined, done: true };
      const step = await Promise.race([iterator.next(), aborted]);
      if (step !== 'aborted') return step;
      await finish();
      const reason = signal.reason as AppError;
      return { value: { errors: [new GraphQLError(reason.message, { extensions: reason.extensions })] }, done: false };
    },
    async return() {
      if (!finished) await finish();
      return { value: undefined, done: true };
    },
    async throw(err?: unknown) {
      await finish();
      throw err;
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}
