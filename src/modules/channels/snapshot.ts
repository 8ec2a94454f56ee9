import { DIVERT, type Divertible, isDivertible, type Sink } from '../../lib/sink.ts';
import type { Delivered } from '../../realtime/streams.ts';
import type { HighlightState } from './events.ts';

/** A highlight as `productHighlighted` delivers it: a recorded change, or (`snapshot`) the state read at the start. */
export type HighlightDelivered = Delivered<HighlightState> & { snapshot?: true };

const DONE = { value: undefined, done: true } as const;

/**
 * The channel's current state first, then the stream of changes after its
 * version. Not an async generator: closing one that waits on the stream
 * would wait for the next event before the stream is let go. A class, so
 * each of thousands of watchers holds two fields, not a set of closures.
 */
class WithSnapshot implements AsyncIterableIterator<HighlightDelivered> {
  protected pending: HighlightDelivered | null;
  protected readonly changes: AsyncIterableIterator<Delivered<HighlightState>>;

  constructor(state: HighlightState, changes: AsyncIterableIterator<Delivered<HighlightState>>) {
    this.changes = changes;
    this.pending = { topic: 'channel:highlight', key: state.channelId, seq: state.version, payload: state, snapshot: true };
  }

  next(): Promise<IteratorResult<HighlightDelivered>> {
    const value = this.pending;
    if (!value) return this.changes.next();
    this.pending = null;
    return Promise.resolve({ value, done: false });
  }

  async return(): Promise<IteratorResult<HighlightDelivered>> {
    this.pending = null;
    await this.changes.return?.();
    return DONE;
  }

  async throw(err?: unknown): Promise<IteratorResult<HighlightDelivered>> {
    await this.return();
    throw err;
  }

  [Symbol.asyncIterator](): this {
    return this;
  }
}

/** Pushes the snapshot, then the changes, to a sink (lib/sink.ts): only made when the changes can be pushed too. */
class DivertibleWithSnapshot extends WithSnapshot {
  [DIVERT](sink: Sink<HighlightDelivered>): void {
    const snapshot = this.pending;
    this.pending = null;
    if (snapshot) sink.push(snapshot);
    (this.changes as unknown as Divertible<HighlightDelivered>)[DIVERT](sink);
  }
}

export function withSnapshot(
  state: HighlightState,
  changes: AsyncIterableIterator<Delivered<HighlightState>>,
): AsyncIterableIterator<HighlightDelivered> {
  return isDivertible(changes) ? new DivertibleWithSnapshot(state, changes) : new WithSnapshot(state, changes);
}
