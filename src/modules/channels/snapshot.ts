import { DIVERT, isDivertible, type Sink } from '../../lib/sink.ts';
import type { Delivered } from '../../realtime/streams.ts';
import type { HighlightState } from './events.ts';

/** A highlight as `productHighlighted` delivers it: a recorded change, or (`snapshot`) the state read at the start. */
export type HighlightDelivered = Delivered<HighlightState> & { snapshot?: true };

/**
 * The channel's current state first, then the stream of changes after its
 * version. Not an async generator: closing one that waits on the stream
 * would wait for the next event before the stream is let go.
 */
export function withSnapshot(
  state: HighlightState,
  changes: AsyncIterableIterator<Delivered<HighlightState>>,
): AsyncIterableIterator<HighlightDelivered> & { [DIVERT]?: (sink: Sink<HighlightDelivered>) => void } {
  let pending: HighlightDelivered | null = {
    topic: 'channel:highlight',
    key: state.channelId,
    seq: state.version,
    payload: state,
    snapshot: true,
  };
  const done = { value: undefined, done: true } as const;
  const divert = (sink: Sink<HighlightDelivered>) => {
    if (pending) sink.push(pending);
    pending = null;
    (changes as unknown as { [DIVERT]: (sink: Sink<HighlightDelivered>) => void })[DIVERT](sink);
  };
  return {
    // Divertible (pushed straight to a sink) exactly when the stream of changes is.
    ...(isDivertible(changes) ? { [DIVERT]: divert } : {}),
    next() {
      if (!pending) return changes.next();
      const value = pending;
      pending = null;
      return Promise.resolve({ value, done: false });
    },
    async return() {
      pending = null;
      await changes.return?.();
      return done;
    },
    async throw(err?: unknown) {
      pending = null;
      await changes.return?.();
      throw err;
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}
