import type { HighlightState } from '../../realtime/topics.ts';
import { EventQueue } from '../../realtime/event-queue.ts';

/**
 * Turns a channel's live events into what a subscriber must see: first the
 * state read after listening began, then every later version in order, never
 * one twice and never going back. Events from several instances can arrive out
 * of order; a version that runs ahead waits for the one missing before it, and
 * if that one never comes (its publisher died after committing) the state is
 * read again after `gapMs` and the stream jumps to it.
 */
export function orderedHighlights(
  events: AsyncIterator<HighlightState>,
  initial: HighlightState,
  readState: () => Promise<HighlightState>,
  gapMs = 500,
): AsyncIterableIterator<HighlightState> {
  let last = initial.version;
  let stopped = false;
  const ahead = new Map<number, HighlightState>();
  let gapTimer: NodeJS.Timeout | undefined;

  const out = new EventQueue<HighlightState>(() => {
    stopped = true;
    clearTimeout(gapTimer);
    void events.return?.();
  });
  const deliver = (state: HighlightState) => {
    last = state.version;
    out.push(state);
  };
  const drain = () => {
    for (let next = ahead.get(last + 1); next; next = ahead.get(last + 1)) {
      ahead.delete(next.version);
      deliver(next);
    }
    if (ahead.size === 0) {
      clearTimeout(gapTimer);
      gapTimer = undefined;
    } else if (!stopped) {
      gapTimer ??= setTimeout(fillGap, gapMs);
    }
  };
  const fillGap = async () => {
    gapTimer = undefined;
    try {
      const state = await readState();
      if (state.version > last) {
        for (const version of ahead.keys()) if (version <= state.version) ahead.delete(version);
        deliver(state);
      }
    } catch {
      // The next event or the next timer tries again.
    }
    drain();
  };

  deliver(initial);
  void (async () => {
    for (;;) {
      const result = await events.next();
      if (result.done || stopped) break;
      if (result.value.version <= last) continue;
      ahead.set(result.value.version, result.value);
      drain();
    }
    await out.return();
  })();
  return out;
}
