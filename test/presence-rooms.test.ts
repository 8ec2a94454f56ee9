import { afterEach, describe, expect, it, vi } from 'vitest';
import { createMemoryPresenceStore } from '../src/realtime/memory-presence.ts';
import { createPresenceRooms, type Occupancy } from '../src/realtime/presence.ts';

/** Collects everything a watcher is handed, as it comes. */
function collect(queue: AsyncIterableIterator<Occupancy>, into: Occupancy[]) {
  void (async () => {
    for await (const occupancy of queue) into.push(occupancy);
  })();
}

/** Rooms over the in-memory store, ticking every 100 ms; errors fail the test. */
const memoryRooms = (deliveriesPerSecond: number) =>
  createPresenceRooms({
    store: createMemoryPresenceStore(),
    intervalMs: 100,
    deliveriesPerSecond,
    heartbeatMs: 60_000,
    maxQueuedEvents: 100,
    onError: (err) => {
      throw err;
    },
  });

describe('presence rooms', () => {
  afterEach(() => vi.useRealTimers());

  it('space a big room’s updates so they cost about PRESENCE_DELIVERIES_PER_SECOND, and never send an unchanged one', async () => {
    vi.useFakeTimers();
    // 1 delivery a second: a room of 4 gets an update every 4 s at most.
    const rooms = memoryRooms(1);
    const seen: Occupancy[] = [];
    const watcher = await rooms.watch('room', 'owner');
    collect(watcher, seen);
    for (const member of ['a', 'b', 'c']) rooms.enter('room', 'owner', member);
    await vi.advanceTimersByTimeAsync(150);
    expect(seen.map((o) => o.count)).toEqual([0, 3]);

    // A fourth arrives: with 4 members, not within 4 s of the last update.
    rooms.enter('room', 'owner', 'd');
    await vi.advanceTimersByTimeAsync(3_500);
    expect(seen.map((o) => o.count)).toEqual([0, 3]);
    await vi.advanceTimersByTimeAsync(700);
    expect(seen.map((o) => o.count)).toEqual([0, 3, 4]);

    // Leaving and coming back within the wait changes nothing by the time it is published: nothing is sent.
    const leave = rooms.enter('room', 'owner', 'e');
    leave();
    await vi.advanceTimersByTimeAsync(10_000);
    expect(seen.map((o) => o.count)).toEqual([0, 3, 4]);
    await watcher.return?.();
    await rooms.close();
  });

  it('hands an update to many watchers in slices, each watcher getting every update in order', async () => {
    vi.useFakeTimers();
    const rooms = memoryRooms(1_000_000);
    const seen: Occupancy[][] = [];
    for (let i = 0; i < 600; i++) {
      const into: Occupancy[] = [];
      seen.push(into);
      collect(await rooms.watch('big', 'owner'), into);
    }
    rooms.enter('big', 'owner', 'a');
    await vi.advanceTimersByTimeAsync(150);
    rooms.enter('big', 'owner', 'b');
    await vi.advanceTimersByTimeAsync(150);
    for (const into of seen) expect(into.map((o) => o.count)).toEqual([0, 1, 2]);
    await rooms.close();
  });
});
