import { AppError } from '../lib/errors.ts';
import type { Logger } from '../logger.ts';
import { EventQueue } from './event-queue.ts';
import { LRUCache } from 'lru-cache';
import type { Outbox, TopicMap } from './outbox.ts';

/** One event as a subscriber gets it: which stream, where in it, and what. */
export interface Delivered<P> {
  topic: string;
  key: string;
  seq: number;
  payload: P;
}

/** Events read from the outbox at a time, by a replay or a hub's catch-up. */
export const REPLAY_PAGE = 500;

export type ReadPage = (topic: string, key: string, after: number, upTo: number) => Promise<Delivered<unknown>[]>;

/**
 * Replay pages read from the outbox, shared. Committed events never change:
 * subscribers resuming from the same place (every client of a restarted
 * instance) share one read of each page instead of each querying it. The
 * page holds the delivered objects themselves, so subscribers also share
 * each event's execution. A cached page serves only if it is full or reaches
 * `upTo` (what was committed when the subscriber joined).
 */
export function createReplayPages<T extends TopicMap>(outbox: Outbox<T>): ReadPage {
  const pages = new LRUCache<string, Promise<Delivered<unknown>[]>>({ max: 2_000, ttl: 5_000 });
  return async (topic, key, after, upTo) => {
    const id = `${topic}\u0000${key}\u0000${after}`;
    const cached = pages.get(id);
    if (cached) {
      const rows = await cached.catch(() => null);
      if (rows && (rows.length === REPLAY_PAGE || (rows.at(-1)?.seq ?? after) >= upTo)) return rows;
    }
    const fresh = outbox
      .read(topic as keyof T & string, key, after, REPLAY_PAGE)
      .then((rows) => rows.map((row): Delivered<unknown> => ({ topic, key, seq: row.seq, payload: row.payload })));
    pages.set(id, fresh);
    fresh.catch(() => pages.delete(id));
    return fresh;
  };
}

/** The stream a subscriber listens to (its hub, in streams.ts). */
export interface SubscribedStream {
  readonly topic: string;
  readonly key: string;
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

  constructor(
    stream: SubscribedStream,
    after: number,
    deps: { readPage: ReadPage; maxQueuedEvents: number; log: Logger },
    onEnd?: () => void,
  ) {
    this.stream = stream;
    this.deps = deps;
    this.last = after;
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

  /** Reads what the subscriber missed from the outbox, up to where the hub stood when it joined, then goes live. */
  async replay(upTo: number): Promise<void> {
    this.held = [];
    try {
      while (this.last < upTo) {
        const rows = await this.deps.readPage(this.stream.topic, this.stream.key, this.last, upTo);
        for (const event of rows) this.push(event);
        if (rows.length < REPLAY_PAGE) break;
      }
      const held = this.held;
      this.held = null;
      for (const event of held) this.offer(event);
    } catch (err) {
      this.deps.log.warn({ err: (err as Error).message, topic: this.stream.topic }, 'replay failed');
      this.queue.fail(err as Error);
    }
  }

  private push(event: Delivered<unknown>) {
    if (event.seq <= this.last) return;
    this.last = event.seq;
    this.queue.push(event);
  }
}
