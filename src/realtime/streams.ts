import { AppError, badInput } from '../lib/errors.ts';
import type { Logger } from '../logger.ts';
import type { Broker } from './broker.ts';
import type { Outbox, TopicMap } from './outbox.ts';
import { createReplayPages, type Delivered, REPLAY_PAGE } from './replay-pages.ts';
import { EventFrame, Framer } from './event-frame.ts';
import { type Audience, Subscriber } from './subscriber.ts';

export type { Delivered } from './replay-pages.ts';
export type { Audience } from './subscriber.ts';

/** How a subscription is watched: who for, which events, and what to do when it ends. */
export interface WatchOptions extends Audience {
  /** Called once when the subscription ends, however it ends. */
  onEnd?: () => void;
  /**
   * Deliver the stream in frames (event-frame.ts): live events gathered for up to this many ms, one shared
   * delivery per window; a replay a page per frame. Set by the first watcher of a stream on this instance:
   * every watcher of one topic passes the same.
   */
  frameMs?: number;
}

export interface StreamsDeps<T extends TopicMap> {
  broker: Broker<T>;
  outbox: Outbox<T>;
  logger: Logger;
  /** Events one subscriber may have waiting before it ends with SLOW_CONSUMER. */
  maxQueuedEvents: number;
  /** Bytes of replay pages kept for subscribers resuming from a cursor (replay-pages.ts). */
  replayCacheBytes: number;
  /** Told how many subscribers an event of a topic went to (metrics). */
  onDelivered?: (topic: string, count: number) => void;
}

/** How long an event that arrived ahead of a missing one waits for it before the outbox is read. */
const GAP_GRACE_MS = 100;

export const cursorExpired = () =>
  new AppError('CURSOR_EXPIRED', 'The cursor is older than the events kept; fetch the current state again');

/**
 * Ordered, gap-free delivery of one (topic, key) stream to this instance's
 * subscribers. One hub per key listens to the broker once, for all of them,
 * and is also offered the events this process numbers, before the broker
 * has them (outbox.watchNumbered); it hands events on strictly in sequence
 * order, each once, whichever way it came first. An event that arrives ahead
 * of one missing (an overtaken or lost publish) makes the hub read the
 * missing ones from the outbox; so does the broker coming back after an
 * outage. A subscriber that starts after a cursor first replays from the
 * outbox, then joins the live flow, with nothing twice at the seam.
 */
export function createStreams<T extends TopicMap>({ broker, outbox, logger, maxQueuedEvents, replayCacheBytes, onDelivered }: StreamsDeps<T>) {
  const log = logger.child({ module: 'streams' });
  const hubs = new Map<string, Hub>();
  // What every subscriber shares: one object, not one per subscriber.
  const replayPages = createReplayPages(outbox, replayCacheBytes);
  const subscriberDeps = { readPage: replayPages.read, maxQueuedEvents, log };

  class Hub {
    lastSeq = 0;
    closed = false;
    /** Listening, and `lastSeq` read: events may be offered. */
    private opened = false;
    ready: Promise<void>;
    private readonly subscribers = new Set<Subscriber>();
    private readonly ahead = new Map<number, Delivered<unknown>>();
    private live: AsyncIterableIterator<{ seq: number; payload: unknown }> | null = null;
    private repairing = false;
    private repairAgain = false;
    private gapTimer: NodeJS.Timeout | undefined;
    readonly id: string;
    readonly topic: keyof T & string;
    readonly key: string;
    /** Delivers in frames (WatchOptions.frameMs): live events through it, replays a page per frame. */
    private readonly framer: Framer | null;

    constructor(id: string, topic: keyof T & string, key: string, frameMs?: number) {
      this.id = id;
      this.topic = topic;
      this.key = key;
      this.framer = frameMs === undefined ? null : new Framer(frameMs, (frame) => this.fanOut(frame));
      this.ready = this.open();
    }

    get framed(): boolean {
      return this.framer !== null;
    }

    /** Listens first, then reads where the stream stands: anything committed after that arrives live. */
    private async open() {
      this.live = await broker.listen(this.topic, this.key);
      try {
        this.lastSeq = (await outbox.head(this.topic, this.key)).lastSeq;
      } catch (err) {
        await this.live.return?.();
        throw err;
      }
      void this.pump(this.live);
    }

    private async pump(live: AsyncIterableIterator<{ seq: number; payload: unknown }>) {
      this.opened = true;
      for await (const event of live) this.offer({ topic: this.topic, key: this.key, seq: event.seq, payload: event.payload });
    }

    /** An event numbered in this process (outbox.watchNumbered): offered like one from the broker, once the hub knows where its stream stands. */
    offerNumbered(event: Delivered<unknown>) {
      if (this.opened && !this.closed) this.offer(event);
    }

    private offer(event: Delivered<unknown>) {
      if (event.seq <= this.lastSeq) return;
      // A notification without its payload (the NOTIFY broker): read it, and anything before it, from the outbox.
      if (event.payload === undefined) return void this.catchUp();
      if (event.seq === this.lastSeq + 1 && !this.repairing) {
        this.deliver(event);
        this.drainAhead();
        return;
      }
      this.ahead.set(event.seq, event);
      // Writers on different instances publish after COMMIT in no fixed order: the missing one is
      // usually a moment behind. Read the outbox only if it has not come by then.
      if (this.repairing) return void this.catchUp();
      this.gapTimer ??= setTimeout(() => {
        this.gapTimer = undefined;
        if (this.ahead.size > 0) void this.catchUp();
      }, GAP_GRACE_MS);
    }

    private deliver(event: Delivered<unknown>) {
      this.lastSeq = event.seq;
      if (this.framer) this.framer.add(event);
      else this.fanOut(event);
    }

    private fanOut(event: Delivered<unknown>) {
      for (const subscriber of this.subscribers) subscriber.offer(event);
      onDelivered?.(this.topic, this.subscribers.size);
    }

    private drainAhead() {
      for (let next = this.ahead.get(this.lastSeq + 1); next; next = this.ahead.get(this.lastSeq + 1)) {
        this.ahead.delete(next.seq);
        this.deliver(next);
      }
      for (const seq of this.ahead.keys()) if (seq <= this.lastSeq) this.ahead.delete(seq);
      if (this.ahead.size === 0 && this.gapTimer) {
        clearTimeout(this.gapTimer);
        this.gapTimer = undefined;
      }
    }

    /**
     * An event seen live is committed, and so is every earlier one of its
     * stream (sequence numbers follow commit order): what the outbox no longer
     * holds was pruned. Move on to what arrived.
     */
    private skipPruned() {
      while (this.ahead.size > 0) {
        const next = Math.min(...this.ahead.keys());
        const event = this.ahead.get(next)!;
        this.ahead.delete(next);
        if (next > this.lastSeq) this.deliver(event);
        this.drainAhead();
      }
    }

    /** Reads from the outbox whatever follows the last event handed on: a gap, or an outage of the broker. */
    async catchUp(): Promise<void> {
      if (this.repairing) {
        this.repairAgain = true;
        return;
      }
      this.repairing = true;
      try {
        do {
          this.repairAgain = false;
          const rows = await outbox.read(this.topic, this.key, this.lastSeq, REPLAY_PAGE);
          // Rows run on from lastSeq + 1; one further on means the ones between were pruned: move on.
          for (const row of rows) if (row.seq > this.lastSeq) this.deliver({ topic: this.topic, key: this.key, seq: row.seq, payload: row.payload });
          this.drainAhead();
          if (rows.length === REPLAY_PAGE) this.repairAgain = true;
          else this.skipPruned();
        } while (this.repairAgain && !this.closed);
      } catch (err) {
        log.warn({ err: (err as Error).message, topic: this.topic }, 'catching up failed; retrying');
        setTimeout(() => void this.catchUp(), 1_000).unref();
      } finally {
        this.repairing = false;
      }
    }

    join(after: number | null, options: WatchOptions): AsyncIterableIterator<Delivered<unknown>> {
      const subscriber = new Subscriber(this, after ?? this.lastSeq, subscriberDeps, options.onEnd, options);
      this.subscribers.add(subscriber);
      if (after !== null && after < this.lastSeq) void subscriber.replay(this.lastSeq);
      return subscriber.queue;
    }

    get size(): number {
      return this.subscribers.size;
    }

    /** Ends the subscriptions of one viewer with `error`. */
    endFor(viewerId: string, error: AppError): number {
      let ended = 0;
      for (const subscriber of this.subscribers) {
        if (subscriber.viewerId !== viewerId) continue;
        subscriber.endWith(error);
        ended++;
      }
      return ended;
    }

    leave(subscriber: Subscriber) {
      this.subscribers.delete(subscriber);
      if (this.subscribers.size > 0 || this.closed) return;
      this.closed = true;
      clearTimeout(this.gapTimer);
      this.framer?.stop();
      if (hubs.get(this.id) === this) hubs.delete(this.id);
      void this.live?.return?.();
    }
  }

  // What this process numbers reaches its own subscribers at once; the broker's copy comes later and is skipped.
  outbox.watchNumbered((event) => hubs.get(`${event.topic}:${event.key}`)?.offerNumbered(event));

  broker.events.on('reconnected', () => {
    for (const hub of hubs.values()) void hub.catchUp();
  });

  async function hubFor(topic: keyof T & string, key: string, frameMs?: number): Promise<Hub> {
    const id = `${topic}:${key}`;
    let hub = hubs.get(id);
    if (!hub || hub.closed) {
      hub = new Hub(id, topic, key, frameMs);
      hubs.set(id, hub);
      const created = hub;
      created.ready.catch(() => {
        if (hubs.get(id) === created) hubs.delete(id);
      });
    }
    await hub.ready;
    return hub;
  }

  return {
    /**
     * The stream of `topic` for `key`, in order: everything after `after` (a
     * sequence number; a replay from the outbox first), or from now on when
     * null. CURSOR_EXPIRED when `after` was pruned; BAD_USER_INPUT when it is
     * ahead of anything committed. `onEnd` is called once when the
     * subscription ends, however it ends.
     */
    async watch<K extends keyof T & string>(
      topic: K,
      key: string,
      after: number | null = null,
      options: WatchOptions = {},
    ): Promise<AsyncIterableIterator<Delivered<T[K]>>> {
      let hub = await hubFor(topic, key, options.frameMs);
      if (after !== null && after !== hub.lastSeq) {
        let head = await outbox.head(topic, key);
        if (after > head.lastSeq) {
          // Committed a moment ago and not numbered yet (a snapshot read just after its change), or not at all.
          await outbox.number(topic, key);
          head = await outbox.head(topic, key);
        }
        if (after < head.prunedSeq) throw cursorExpired();
        if (after > head.lastSeq) throw badInput('The cursor is ahead of this stream', 'after');
      }
      // The last subscriber may have left (closing the hub) while the head was read.
      if (hub.closed) hub = await hubFor(topic, key, options.frameMs);
      broker.events.emit('watching', `${topic}:${key}`);
      return hub.join(after, options) as AsyncIterableIterator<Delivered<T[K]>>;
    },

    /** As `watch`, in frames (`frameMs`): each delivery an EventFrame of one or more events of the stream. */
    watchFramed<K extends keyof T & string>(
      topic: K,
      key: string,
      after: number | null,
      options: WatchOptions & { frameMs: number },
    ): Promise<AsyncIterableIterator<Delivered<EventFrame>>> {
      return this.watch(topic, key, after, options) as unknown as Promise<AsyncIterableIterator<Delivered<EventFrame>>>;
    },

    /**
     * Ends, on this instance, every subscription of `viewerId` to a stream
     * keyed `key` (of any topic, or of `topics`: a section's posts, reactions and links) with
     * `error` as its last result; returns how many. Who lost access to a
     * section is told so, then their subscriptions complete.
     */
    endFor(key: string, viewerId: string, error: AppError, topics?: readonly string[]): number {
      let ended = 0;
      for (const hub of hubs.values()) if (hub.key === key && (!topics || topics.includes(hub.topic))) ended += hub.endFor(viewerId, error);
      return ended;
    },

    /**
     * Stored events of streams keyed `key` were rewritten (erased): replay
     * pages kept of them are stale. Told by every instance's follower of
     * the erasures (outbox.erase records one per rewrite).
     */
    erased(key: string): void {
      replayPages.forget(key);
    },

    /** Subscribers listening now, per topic (read when metrics are scraped, never on the delivery path). */
    subscriberCounts(): Map<string, number> {
      const counts = new Map<string, number>();
      for (const hub of hubs.values()) counts.set(hub.topic, (counts.get(hub.topic) ?? 0) + hub.size);
      return counts;
    },
  };
}

export type Streams<T extends TopicMap> = ReturnType<typeof createStreams<T>>;
