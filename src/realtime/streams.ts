import { AppError, badInput } from '../lib/errors.ts';
import type { Logger } from '../logger.ts';
import type { Broker } from './broker.ts';
import type { Outbox, TopicMap } from './outbox.ts';
import type { EventFrame } from './event-frame.ts';
import { Hub, type HubDeps, type WatchOptions } from './hub.ts';
import { createReplayPages, type Delivered } from './replay-pages.ts';

export type { Delivered } from './replay-pages.ts';
export type { Audience } from './subscriber.ts';

export type { WatchOptions } from './hub.ts';

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
  const hubDeps: HubDeps = {
    broker,
    outbox,
    log,
    subscriberDeps: { readPage: replayPages.read, maxQueuedEvents, log },
    onDelivered,
    closed: (hub) => {
      if (hubs.get(hub.id) === hub) hubs.delete(hub.id);
    },
  };


  // What this process numbers reaches its own subscribers at once; the broker's copy comes later and is skipped.
  outbox.watchNumbered((event) => hubs.get(`${event.topic}:${event.key}`)?.offerNumbered(event));

  broker.events.on('reconnected', () => {
    for (const hub of hubs.values()) void hub.catchUp();
  });

  async function hubFor(topic: keyof T & string, key: string, frameMs?: number): Promise<Hub> {
    const id = `${topic}:${key}`;
    let hub = hubs.get(id);
    if (!hub || hub.closed) {
      hub = new Hub(hubDeps, id, topic, key, frameMs);
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
