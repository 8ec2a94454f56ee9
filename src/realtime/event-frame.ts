import { isErased } from './stream-end.ts';
import type { Delivered } from './replay-pages.ts';

/**
 * Several consecutive events of one stream delivered as one: what a busy
 * stream (a channel's chat) sends each window, built once per instance and
 * shared by every subscriber, so a burst costs one delivery per window per
 * subscriber instead of one per event. Delivered with the last event's
 * sequence number: its cursor resumes after all of them.
 */
export class EventFrame {
  /** In sequence order, none erased. */
  readonly events: readonly Delivered<unknown>[];
  constructor(events: readonly Delivered<unknown>[]) {
    this.events = events;
  }
}

/** The frame of `events` (in order) as one delivery, or null when none is left to send. */
export function frameOf(events: readonly Delivered<unknown>[]): Delivered<EventFrame> | null {
  const kept = events.filter((e) => !isErased(e.payload));
  const last = events.at(-1);
  if (!last || kept.length === 0) return null;
  // Traced, the frame's delivery continues its last event's trace (and links the others': hub.ts).
  return { topic: last.topic, key: last.key, seq: last.seq, payload: new EventFrame(kept), trace: last.trace };
}

/** The part of a frame after `seq` (a subscriber that already has the rest), or null when nothing is. */
export function frameAfter(frame: Delivered<EventFrame>, seq: number): Delivered<EventFrame> | null {
  if (frame.seq <= seq) return null;
  const first = frame.payload.events[0];
  if (first && first.seq > seq) return frame;
  return frameOf(frame.payload.events.filter((e) => e.seq > seq));
}

/**
 * Gathers a stream's live events into frames: the first event after a quiet
 * spell goes out at once, alone; those arriving within `ms` of it go
 * together when the window ends, and so on while the stream stays busy.
 */
export class Framer {
  private pending: Delivered<unknown>[] = [];
  private window: NodeJS.Timeout | undefined;
  private readonly ms: number;
  private readonly send: (frame: Delivered<EventFrame>) => void;

  constructor(ms: number, send: (frame: Delivered<EventFrame>) => void) {
    this.ms = ms;
    this.send = send;
  }

  add(event: Delivered<unknown>): void {
    if (this.window) {
      this.pending.push(event);
      return;
    }
    this.emit([event]);
    if (this.ms > 0) this.open();
  }

  private open() {
    this.window = setTimeout(() => {
      this.window = undefined;
      if (this.pending.length === 0) return;
      const events = this.pending;
      this.pending = [];
      this.emit(events);
      this.open();
    }, this.ms);
  }

  private emit(events: Delivered<unknown>[]) {
    const frame = frameOf(events);
    if (frame) this.send(frame);
  }

  stop(): void {
    clearTimeout(this.window);
    this.window = undefined;
    this.pending = [];
  }
}
