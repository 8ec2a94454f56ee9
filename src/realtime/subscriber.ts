import { AppError } from '../lib/errors.ts';
import { isErased, StreamEnd } from './stream-end.ts';
import type { Logger } from '../logger.ts';
import { EventFrame, frameAfter, frameOf } from './event-frame.ts';
import { EventQueue } from './event-queue.ts';
import { type ReadPage, REPLAY_PAGE } from './replay-pages.ts';

export type { Delivered } from './replay-pages.ts';
import type { Delivered } from './replay-pages.ts';

/** Who a subscription is for, and which of its stream's events they get. */
export interface Audience {
  /** The signed-in user it runs for (what `streams.endFor` matches); null for none. */
  viewerId?: string | null;
  /** Whether this subscriber gets an event (its kind; not from someone the viewer blocks). Read for every event: keep it cheap. */
  accept?: (payload: any) => boolean;
}

/** The stream a subscriber listens to (its hub, in streams.ts). */
export interface SubscribedStream {
  readonly topic: string;
  readonly key: string;
  /** Delivers EventFrames (event-frame.ts): a replay page goes as one too. */
  readonly framed: boolean;
  leave(subscriber: Subscriber): void;
}

/**
 * One subscription on a stream: its own queue of events, strictly after the
 * last one it got. Joining after a cursor, it first replays from the outbox
 * (holding the live events that arrive meanwhile), then goes live.
 */
export class Subscriber {
  last: number;
  /** Live events that arrived while this subscriber was still replaying. */
  held: Delivered<unknown>[] | null = null;
  readonly queue: EventQueue<Delivered<unknown>>;
  private readonly stream: SubscribedStream;
  private readonly deps: { readPage: ReadPage; maxQueuedEvents: number; log: Logger };
  readonly viewerId: string | null;
  private readonly accept: ((payload: unknown) => boolean) | undefined;

  constructor(
    stream: SubscribedStream,
    after: number,
    deps: { readPage: ReadPage; maxQueuedEvents: number; log: Logger },
    onEnd?: () => void,
    audience?: Audience,
  ) {
    this.stream = stream;
    this.deps = deps;
    this.last = after;
    this.viewerId = audience?.viewerId ?? null;
    this.accept = audience?.accept;
    this.queue = new EventQueue(
      () => {
        stream.leave(this);
        onEnd?.();
      },
      { maxBuffered: deps.maxQueuedEvents },
    );
  }

  offer(event: Delivered<unknown>): void {
    if (this.held) {
      if (this.held.length >= this.deps.maxQueuedEvents) this.queue.fail(new AppError('SLOW_CONSUMER', 'Too many events while catching up'));
      else this.held.push(event);
      return;
    }
    this.push(event);
  }

  /**
   * Reads what the subscriber missed from the outbox, up to where the hub
   * stood when it joined, then goes live. A subscription that ends meanwhile
   * (completed by its client, its socket closed) stops reading at once.
   */
  async replay(upTo: number): Promise<void> {
    this.held = [];
    try {
      while (this.last < upTo && !this.queue.ended) {
        const rows = await this.deps.readPage(this.stream.topic, this.stream.key, this.last, upTo);
        if (this.queue.ended) return;
        if (this.stream.framed) {
          const frame = frameOf(rows.filter((e) => e.seq > this.last));
          if (frame) this.push(frame);
          // Past what it held, even when all of it was erased.
          this.last = Math.max(this.last, rows.at(-1)?.seq ?? this.last);
        } else {
          for (const event of rows) {
            if (this.queue.ended) return;
            this.push(event);
          }
        }
        if (rows.length < REPLAY_PAGE) break;
      }
      const held = this.held;
      this.held = null;
      for (const event of held ?? []) this.offer(event);
    } catch (err) {
      this.deps.log.warn({ err: (err as Error).message, topic: this.stream.topic }, 'replay failed');
      this.queue.fail(err as Error);
    }
  }

  /** Ends the subscription with `error` as its last result, after what it already has; then it completes. */
  endWith(error: AppError): void {
    if (this.queue.ended) return;
    this.held = null;
    this.queue.push({ topic: this.stream.topic, key: this.stream.key, seq: this.last, payload: new StreamEnd(error) });
    this.queue.close();
  }

  private push(delivered: Delivered<unknown>) {
    // A frame (one delivery of several events) that began before what this subscriber has: only the rest.
    const event = delivered.payload instanceof EventFrame ? frameAfter(delivered as Delivered<EventFrame>, this.last) : delivered;
    if (!event || event.seq <= this.last) return;
    this.last = event.seq;
    // A tombstone, or an event not for this viewer: passed over (the cursor moves on with the next one sent).
    if (isErased(event.payload) || (this.accept && !this.accept(event.payload))) return;
    this.queue.push(event);
  }
}
