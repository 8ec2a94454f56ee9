import type { Occupancy, PresenceStore } from './presence.ts';

/**
 * Presence kept in this process: the embedded default, one instance. The
 * members are exactly this instance's, so nothing expires.
 */
export function createMemoryPresenceStore(): PresenceStore {
  const rooms = new Map<string, Set<string>>();
  const published = new Map<string, { state: string; at: number }>();
  const listeners: Array<(occupancy: Occupancy) => void> = [];

  const occupancyOf = (room: string, owner: string): Occupancy => {
    const members = rooms.get(room);
    const ownerPresent = members?.has(owner) ?? false;
    return { room, count: (members?.size ?? 0) - (ownerPresent ? 1 : 0), ownerPresent };
  };

  return {
    async add(room, members) {
      let set = rooms.get(room);
      if (!set) rooms.set(room, (set = new Set()));
      for (const member of members) set.add(member);
    },
    async remove(room, member) {
      const set = rooms.get(room);
      set?.delete(member);
      if (set?.size === 0) rooms.delete(room);
    },
    async occupancy(room, owner, publish) {
      const occupancy = occupancyOf(room, owner);
      if (!publish) return { occupancy, outcome: 'read' };
      const state = `${occupancy.count}:${occupancy.ownerPresent}`;
      const last = published.get(room);
      if (last?.state === state) return { occupancy, outcome: 'unchanged' };
      const now = Date.now();
      if (last && now - last.at < publish.intervalMs) return { occupancy, outcome: 'later' };
      // A room everyone left, once that is published, is forgotten: closed channels must not pile up here.
      if (rooms.has(room)) published.set(room, { state, at: now });
      else published.delete(room);
      for (const listener of listeners) listener(occupancy);
      return { occupancy, outcome: 'published' };
    },
    async members(room, first, after) {
      return [...(rooms.get(room) ?? [])]
        .sort()
        .filter((member) => after === null || member > after)
        .slice(0, first);
    },
    onPublished(listener) {
      listeners.push(listener);
    },
    async close() {},
  };
}

/** PRESENCE=off: nothing kept, nothing published; every room reads empty. */
export function createNoPresenceStore(): PresenceStore {
  return {
    add: async () => {},
    remove: async () => {},
    occupancy: async (room) => ({ occupancy: { room, count: 0, ownerPresent: false }, outcome: 'unchanged' }),
    members: async () => [],
    onPublished: () => {},
    close: async () => {},
  };
}
