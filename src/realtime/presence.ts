import { EventQueue } from './event-queue.ts';

/** Who is in a room, as everyone may see it: a count, and whether its owner is there. */
export interface Occupancy {
  room: string;
  /** Distinct members present, the owner not counted. */
  count: number;
  ownerPresent: boolean;
}

/**
 * Where presence is kept: PresenceRooms (below) calls it when a member is
 * first present on this instance or last leaves it, refreshes what this
 * instance holds, and asks for a room's occupancy. In memory for one process
 * (memory-presence.ts), in Redis across instances (redis-presence.ts).
 */
export interface PresenceStore {
  add(room: string, members: string[]): Promise<void>;
  remove(room: string, member: string): Promise<void>;
  /**
   * The room's occupancy, after dropping members whose instance stopped
   * refreshing them. `publish`: if it changed since the last published one
   * and nothing was published within `intervalMs`, publishes it (to every
   * instance's `onPublished`) and says 'published'; if it changed but one was
   * published too recently, says 'later'.
   */
  occupancy(room: string, owner: string, publish?: { intervalMs: number }): Promise<{ occupancy: Occupancy; outcome: 'published' | 'unchanged' | 'later' | 'read' }>;
  /** Members present, in id order, after `after`, at most `first`. */
  members(room: string, first: number, after: string | null): Promise<string[]>;
  /** Called with every occupancy published by any instance. */
  onPublished(listener: (occupancy: Occupancy) => void): void;
  close(): Promise<void>;
}

/** Watchers handed an update in one go before other work may run. */
const HAND_OUT_SLICE = 256;

export interface PresenceOptions {
  store: PresenceStore;
  /** At most one published change per room per interval. */
  intervalMs: number;
  /**
   * Updates of a room with more members than this come less often than
   * `intervalMs`: one per (members / this) seconds, so a room's updates
   * cost its watchers about this many deliveries a second whatever its size.
   */
  deliveriesPerSecond: number;
  /** How often this instance tells the store its members are still here (the store forgets them after its TTL). */
  heartbeatMs: number;
  maxQueuedEvents: number;
  onError(err: Error): void;
}

/**
 * Presence for rooms (live channels): which members have a room open on this
 * instance (one count per member however many subscriptions), kept in the
 * store; the occupancy published at most once per interval per room, only
 * when it changed, and handed to this instance's watchers of the room. A join
 * or a leave is O(1) here and at most one store call; never a broadcast.
 */
export function createPresenceRooms({ store, intervalMs, deliveriesPerSecond, heartbeatMs, maxQueuedEvents, onError }: PresenceOptions) {
  /** room -> member -> subscriptions on this instance. */
  const local = new Map<string, Map<string, number>>();
  const owners = new Map<string, string>();
  /** Rooms changed here whose occupancy is not published yet. */
  const dirty = new Set<string>();
  const watchers = new Map<string, Set<EventQueue<Occupancy>>>();
  /** The last occupancy seen of each watched room, and when: joiners within an interval of it start from it. */
  const latest = new Map<string, { occupancy: Occupancy; at: number }>();

  /** Each room's last known size: a big room's updates are spaced so they cost at most `deliveriesPerSecond`. */
  const sizes = new Map<string, number>();
  const intervalFor = (room: string) => Math.max(intervalMs, ((sizes.get(room) ?? 0) / deliveriesPerSecond) * 1000);

  /** Forgets a room this instance no longer holds, watches or has a change of to publish. */
  function forgetIfIdle(room: string) {
    if (local.has(room) || watchers.has(room) || dirty.has(room)) return;
    owners.delete(room);
    sizes.delete(room);
  }

  /** Told of each occupancy this instance publishes (the one publisher of that change, cluster-wide). */
  const publishedHere = new Set<(occupancy: Occupancy) => void>();
  /** Told at each heartbeat which rooms this instance holds members of. */
  const heartbeats = new Set<(rooms: string[]) => void>();

  /** Rooms whose update is being handed out, and the newer one to hand out after it. */
  const handing = new Map<string, Occupancy | null>();

  /**
   * Hands an update to the room's watchers a slice at a time, letting other
   * work (a highlight's fan-out) run between slices: a count can wait a few
   * milliseconds, a highlight should not wait for 10,000 counts. Each watcher
   * still gets the updates in order; a newer one arriving meanwhile follows.
   */
  function handOut(occupancy: Occupancy) {
    const set = watchers.get(occupancy.room);
    if (!set) return;
    latest.set(occupancy.room, { occupancy, at: Date.now() });
    if (handing.has(occupancy.room)) return void handing.set(occupancy.room, occupancy);
    handing.set(occupancy.room, null);
    const queues = [...set];
    const slice = (from: number) => {
      for (const queue of queues.slice(from, from + HAND_OUT_SLICE)) queue.push(occupancy);
      if (from + HAND_OUT_SLICE < queues.length) return void setImmediate(slice, from + HAND_OUT_SLICE);
      const next = handing.get(occupancy.room) ?? null;
      handing.delete(occupancy.room);
      if (next) handOut(next);
    };
    slice(0);
  }

  store.onPublished(handOut);

  /** The room's occupancy for a joiner: the one seen within the last interval (a burst of joiners shares it), or read. */
  async function current(room: string, owner: string): Promise<Occupancy> {
    const seen = latest.get(room);
    if (seen && Date.now() - seen.at < intervalFor(room)) return seen.occupancy;
    const { occupancy } = await store.occupancy(room, owner);
    if (watchers.has(room)) latest.set(room, { occupancy, at: Date.now() });
    return occupancy;
  }

  const report = (err: unknown) => onError(err as Error);

  async function tick(room: string) {
    const owner = owners.get(room);
    if (owner === undefined) return dirty.delete(room);
    const { occupancy, outcome } = await store.occupancy(room, owner, { intervalMs: intervalFor(room) });
    if (occupancy.count > 0) sizes.set(room, occupancy.count);
    else sizes.delete(room);
    if (outcome === 'later') return;
    if (outcome === 'published') for (const listener of publishedHere) listener(occupancy);
    dirty.delete(room);
    forgetIfIdle(room);
  }

  const ticker = setInterval(() => {
    for (const room of dirty) void tick(room).catch(report);
  }, intervalMs);
  ticker.unref();
  const heartbeat = setInterval(() => {
    for (const [room, members] of local) void store.add(room, [...members.keys()]).catch(report);
    if (heartbeats.size > 0) for (const listener of heartbeats) listener([...local.keys()]);
    // Members of other instances may have expired: every room watched here is looked at again.
    for (const room of new Set([...local.keys(), ...watchers.keys()])) void tick(room).catch(report);
  }, heartbeatMs);
  heartbeat.unref();

  return {
    /** Counts `member` in `room` (owned by `owner`) until the returned function is called (once). */
    enter(room: string, owner: string, member: string): () => void {
      owners.set(room, owner);
      let members = local.get(room);
      if (!members) local.set(room, (members = new Map()));
      const held = members.get(member) ?? 0;
      members.set(member, held + 1);
      if (held === 0) {
        dirty.add(room);
        void store.add(room, [member]).catch(report);
      }
      let left = false;
      return () => {
        if (left) return;
        left = true;
        const now = (members.get(member) ?? 1) - 1;
        if (now > 0) return void members.set(member, now);
        members.delete(member);
        if (members.size === 0 && local.get(room) === members) local.delete(room);
        dirty.add(room);
        void store.remove(room, member).catch(report);
      };
    },

    /**
     * Calls `listener` with each occupancy change this instance publishes: each change is published by one
     * instance only, so what the listener records is recorded once cluster-wide. Returns the way to stop.
     */
    onPublish(listener: (occupancy: Occupancy) => void): () => void {
      publishedHere.add(listener);
      return () => void publishedHere.delete(listener);
    },

    /** Calls `listener` at every heartbeat with the rooms this instance holds members of. Returns the way to stop. */
    onHeartbeat(listener: (rooms: string[]) => void): () => void {
      heartbeats.add(listener);
      return () => void heartbeats.delete(listener);
    },

    /** The owner of a room this instance has seen (a channel's seller), without asking the database again. */
    ownerOf: (room: string): string | undefined => owners.get(room),

    /** The occupancy now (read, not published). */
    async occupancy(room: string, owner: string): Promise<Occupancy> {
      return (await store.occupancy(room, owner)).occupancy;
    },

    members: (room: string, first: number, after: string | null) => store.members(room, first, after),

    /** The room's occupancy now, then each one published. */
    async watch(room: string, owner: string, onEnd?: () => void): Promise<AsyncIterableIterator<Occupancy>> {
      owners.set(room, owner);
      let set = watchers.get(room);
      if (!set) watchers.set(room, (set = new Set()));
      const queue: EventQueue<Occupancy> = new EventQueue(
        () => {
          set.delete(queue);
          if (set.size === 0 && watchers.get(room) === set) {
            watchers.delete(room);
            latest.delete(room);
            forgetIfIdle(room);
          }
          onEnd?.();
        },
        { maxBuffered: maxQueuedEvents },
      );
      set.add(queue);
      try {
        queue.push(await current(room, owner));
      } catch (err) {
        await queue.return();
        throw err;
      }
      return queue;
    },

    async close() {
      clearInterval(ticker);
      clearInterval(heartbeat);
      await store.close();
    },
  };
}

export type PresenceRooms = ReturnType<typeof createPresenceRooms>;
