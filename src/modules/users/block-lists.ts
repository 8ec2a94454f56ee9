import type { Logger } from '../../logger.ts';

/** Whom one viewer blocks, kept current while any of their subscriptions runs. */
export interface BlockList {
  has(userId: string): boolean;
  /** The subscription that held it ended. */
  release(): void;
}

interface Held {
  blocked: Set<string>;
  refs: number;
  loading: Promise<void>;
}

/**
 * The block lists of the viewers subscribed on this instance, one per
 * viewer however many subscriptions they run, read once and reloaded when a
 * change is announced (`changed`, from every instance's follower of
 * `user:blocks-changed`). Subscribers filter each event with a set lookup:
 * the fan-out of an event stays one loop, and only those who block its
 * author skip it.
 */
export function createBlockLists(load: (viewerId: string) => Promise<string[]>, logger: Logger) {
  const held = new Map<string, Held>();
  const none: BlockList = { has: () => false, release: () => {} };

  async function reload(viewerId: string, entry: Held) {
    const ids = await load(viewerId);
    entry.blocked.clear();
    for (const id of ids) entry.blocked.add(id);
  }

  /** The viewer's list, loaded, until `release`. */
  async function hold(viewerId: string | null): Promise<BlockList> {
      if (!viewerId) return none;
      let entry = held.get(viewerId);
      if (!entry) {
        const created: Held = { blocked: new Set(), refs: 0, loading: Promise.resolve() };
        created.loading = reload(viewerId, created);
        held.set(viewerId, created);
        entry = created;
        created.loading.catch(() => {
          if (held.get(viewerId) === created && created.refs === 0) held.delete(viewerId);
        });
      }
      entry.refs++;
      const current = entry;
      let released = false;
      const release = () => {
        if (released) return;
        released = true;
        if (--current.refs === 0 && held.get(viewerId) === current) held.delete(viewerId);
      };
      try {
        await current.loading;
      } catch (err) {
        release();
        throw err;
      }
      return { has: (id) => current.blocked.has(id), release };
  }

  return {
    hold,

    /**
     * Opens a subscription filtered by the viewer's list: `open` is given the
     * list (its `release` goes to the subscription's end); released at once
     * if opening fails.
     */
    async watching<T>(viewerId: string, open: (blocked: BlockList) => Promise<T>): Promise<T> {
      const blocked = await hold(viewerId);
      try {
        return await open(blocked);
      } catch (err) {
        blocked.release();
        throw err;
      }
    },

    /** The viewer blocked or unblocked someone: their list, if held here, is read again. */
    changed(viewerId: string): void {
      const entry = held.get(viewerId);
      if (!entry) return;
      entry.loading = reload(viewerId, entry).catch((err: Error) => logger.warn({ err: err.message }, 'reloading a block list failed'));
    },

    /** Viewers whose lists are held (metrics, tests). */
    get size() {
      return held.size;
    },
  };
}

export type BlockLists = ReturnType<typeof createBlockLists>;
