import { LRUCache } from 'lru-cache';
import type { Outbox, TopicMap } from './outbox.ts';

/** One event as a subscriber gets it: which stream, where in it, and what. */
export interface Delivered<P> {
  topic: string;
  key: string;
  seq: number;
  payload: P;
  /** The trace that recorded it, when traced and delivered live (outbox.ts StoredEvent). */
  trace?: string;
}

/** Events read from the outbox at a time, by a replay or a hub's catch-up. */
export const REPLAY_PAGE = 500;

/** The events of a stream after `after`, a page at most, reaching `upTo` (what was committed when the subscriber joined) unless the page is full. */
export type ReadPage = (topic: string, key: string, after: number, upTo: number) => Promise<Delivered<unknown>[]>;

interface Page {
  events: Delivered<unknown>[];
  /** What the page holds in memory, about: twice its events' JSON, plus each event's object. */
  bytes: number;
}

/** A page that answers a reader needing everything up to `upTo`: full, or read after `upTo` was committed. */
const serves = (page: Page, upTo: number) => page.events.length === REPLAY_PAGE || (page.events.at(-1)?.seq ?? 0) >= upTo;

/**
 * Replay pages read from the outbox, shared. Committed events never change:
 * subscribers resuming near the same place (every client of a restarted
 * instance, a crowd coming back to a busy section) share one read of each
 * page instead of each querying it, and each event's execution, since the
 * page holds the delivered objects themselves. Pages start at multiples of
 * REPLAY_PAGE, so any cursor within a page's span reads that same page; a
 * page being read is shared by whoever asks meanwhile. What is kept is
 * bounded by `maxBytes` (least recently used pages go first); 0 keeps none.
 */
export function createReplayPages<T extends TopicMap>(outbox: Outbox<T>, maxBytes: number): { read: ReadPage; forget(key: string): void } {
  // Pages nobody has asked for in a minute go, not only when room is needed: a quiet day holds none.
  const pages = new LRUCache<string, Page>({ maxSize: Math.max(1, maxBytes), sizeCalculation: (page) => Math.max(1, page.bytes), ttl: 60_000, ttlAutopurge: true, updateAgeOnGet: true });
  const reading = new Map<string, Promise<Page>>();
  // Bumped by every erasure: a page read before one is not kept (it may hold what was erased).
  let generation = 0;

  async function read(topic: string, key: string, base: number): Promise<Page> {
    const rows = await outbox.readSized(topic as keyof T & string, key, base, REPLAY_PAGE);
    let bytes = 0;
    const events = rows.map((row): Delivered<unknown> => {
      bytes += 2 * row.bytes + 96;
      return { topic, key, seq: row.seq, payload: row.payload };
    });
    return { events, bytes };
  }

  function shared(id: string, topic: string, key: string, base: number): Promise<Page> {
    let pending = reading.get(id);
    if (pending) return pending;
    const readIn = generation;
    pending = read(topic, key, base);
    reading.set(id, pending);
    pending.then(
      (page) => {
        if (maxBytes > 0 && page.bytes <= maxBytes && readIn === generation) pages.set(id, page);
      },
      () => {},
    ).finally(() => {
      if (reading.get(id) === pending) reading.delete(id);
    });
    return pending;
  }

  const readPage: ReadPage = async (topic, key, after, upTo) => {
    const base = after - (after % REPLAY_PAGE);
    const id = `${topic}\u0000${key}\u0000${base}`;
    const cached = pages.get(id);
    if (cached && serves(cached, upTo)) return cached.events;
    const page = await shared(id, topic, key, base);
    // Read before `upTo` was committed: this reader needs a later look.
    return serves(page, upTo) ? page.events : (await read(topic, key, base)).events;
  };

  return {
    read: readPage,
    forget(key: string) {
      generation++;
      for (const id of pages.keys()) if (id.split('\u0000')[1] === key) pages.delete(id);
      // A page being read now may hold what was erased: the next reader reads again.
      for (const id of reading.keys()) if (id.split('\u0000')[1] === key) reading.delete(id);
    },
  };
}
