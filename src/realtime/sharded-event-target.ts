import type { Cluster } from 'ioredis';

type Listener = (event: Event) => void;

/**
 * What @graphql-yoga/redis-event-target is for classic pub/sub, over a
 * Redis Cluster's sharded pub/sub (SSUBSCRIBE, Redis 7), which it does not
 * speak: listeners by channel on a cluster client with sharded subscribers,
 * each message parsed once and handed to every listener of its channel. The
 * first listener's `subscribe` sends SSUBSCRIBE to the shard owning the
 * channel; the last one's removal SUNSUBSCRIBEs. ioredis subscribes again
 * on the new master after a failover.
 */
export function createShardedEventTarget(cluster: Cluster) {
  const listeners = new Map<string, Set<Listener>>();
  cluster.on('smessage', (channel: string, message: string) => {
    const set = listeners.get(channel);
    if (!set) return;
    const event = { type: channel, detail: message === '' ? null : JSON.parse(message) } as unknown as Event;
    for (const listener of set) listener(event);
  });
  return {
    addEventListener(channel: string, listener: Listener) {
      let set = listeners.get(channel);
      if (!set) listeners.set(channel, (set = new Set()));
      set.add(listener);
    },
    removeEventListener(channel: string, listener: Listener) {
      const set = listeners.get(channel);
      if (!set?.delete(listener) || set.size > 0) return;
      listeners.delete(channel);
      void cluster.sunsubscribe(channel).catch(() => {
        // The connection is gone: nothing is subscribed on it any more.
      });
    },
    /** Resolves once the shard has confirmed the subscription: messages published after that arrive. */
    subscribe(channel: string): Promise<unknown> {
      return cluster.ssubscribe(channel);
    },
  };
}
