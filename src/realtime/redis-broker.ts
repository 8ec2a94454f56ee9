import { EventEmitter } from 'node:events';
import { createRedisEventTarget } from '@graphql-yoga/redis-event-target';
import type { Cluster, Redis } from 'ioredis';
import type { Logger } from '../logger.ts';
import type { Broker } from './broker.ts';
import { listenOn } from './listen-on.ts';
import { createPublishedNotes, PUBLISHED_CHANNEL, type PublishedRun } from './published-notes.ts';
import { connectRedis, isCluster, type RedisClient, type RedisTarget } from './redis-client.ts';
import { createShardedEventTarget } from './sharded-event-target.ts';
import type { TopicMap } from './outbox.ts';

const channelOf = (topic: string, key: string) => `${topic}:${key}`;

// One listener per key and instance (the stream hub) drains this queue at once; the bound only guards a stall.
const queueOptions = { maxBuffered: 100_000 };

/**
 * The broker over Redis: classic PUBLISH/SUBSCRIBE on one server, sharded
 * SPUBLISH/SSUBSCRIBE on a Redis Cluster (a stream's messages go to the
 * shard owning its channel, not to every node). It publishes on the
 * process's command client (the runtime's, shared with rate limits and
 * connection caps) and subscribes on a connection of its own; a message
 * arrives once per channel and is parsed once. Every process also notes
 * what it published, and says so a few times a second on one channel: that
 * is how the relay learns what writers published (observe), without a
 * pattern subscription receiving every event.
 */
/**
 * The single server's channels: @graphql-yoga's event target over the subscribing connection, which Plaza
 * subscribes again after every reconnect from its own record of the channels listened to. ioredis's own
 * resubscription leaves its SUBSCRIBE unhandled (a connection dropping again before Redis answers is an
 * unhandled rejection: redis/ioredis#2187, fixed in ioredis 6.1, which the event target does not accept yet)
 * and forgets the channels for every later reconnect.
 */
function singleServerTarget(client: Redis, publishClient: Redis) {
  const subscribed = new Set<string>();
  // Messages arrive once per channel and are parsed once; every listener gets the same object. The target sends
  // its own SUBSCRIBE and UNSUBSCRIBE without waiting for them: handed a client whose commands cannot reject
  // unheard (Redis going away fails them), while the SUBSCRIBE of `subscribe` below is awaited.
  const unheard = {
    on: (event: string, listener: (...args: string[]) => void) => client.on(event, listener),
    subscribe: (channel: string) => {
      subscribed.add(channel);
      return client.subscribe(channel).catch(() => 0);
    },
    unsubscribe: (channel: string) => {
      subscribed.delete(channel);
      return client.unsubscribe(channel).catch(() => 0);
    },
  };
  const target = createRedisEventTarget({ publishClient, subscribeClient: unheard as unknown as Redis });
  return Object.assign(target, {
    // The event target's own SUBSCRIBE is not awaited: this one is, and Redis answers in order, so messages
    // flow once it resolves.
    subscribe: (channel: string) => client.subscribe(channel),
    resubscribe: async () => {
      if (subscribed.size > 0) await client.subscribe(...subscribed);
    },
  });
}

export function createRedisBroker<T extends TopicMap>(target: RedisTarget, publishClient: RedisClient, logger: Logger): Broker<T> {
  const events = new EventEmitter();
  events.setMaxListeners(0);
  const log = logger.child({ module: 'redis' });
  const sharded = isCluster(publishClient);
  // On one server, Plaza subscribes again itself after a reconnect (see `resubscribe`); a cluster's sharded
  // subscribers do it per shard.
  const subscribeClient = connectRedis(target, 'plaza-sub', { sharded, autoResubscribe: sharded });
  subscribeClient.on('error', (err: Error) => log.warn({ err: err.message, client: 'plaza-sub' }, 'redis client error'));
  // Back after an outage (or, on a cluster, subscribed again after a failover moved a shard): what was
  // published meanwhile is lost to this side, and the streams catch up from the outbox.
  let reached = false;
  const single = sharded ? null : singleServerTarget(subscribeClient as Redis, publishClient as Redis);
  const channels = single ?? createShardedEventTarget(subscribeClient as Cluster);
  subscribeClient.on(sharded ? 'subscribersReady' : 'ready', () => {
    const again = reached;
    reached = true;
    if (!again) return;
    if (!single) {
      events.emit('reconnected');
      return;
    }
    // Subscribed again before the streams catch up, so nothing published after their catch-up read is missed.
    // Should the connection drop again first, the next `ready` tries again with the same channels.
    single.resubscribe().then(
      () => events.emit('reconnected'),
      (err: Error) => log.warn({ err: err.message }, 'redis resubscribe failed; retried at the next reconnect'),
    );
  });
  const send = (channel: string, message: string) =>
    sharded ? (publishClient as Cluster).spublish(channel, message) : (publishClient as Redis).publish(channel, message);
  const notes = createPublishedNotes((runs) => send(PUBLISHED_CHANNEL, JSON.stringify(runs)));
  const readyWithin = (ms: number) =>
    new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        subscribeClient.off('ready', onReady);
        reject(new Error('Redis is not connected'));
      }, ms);
      function onReady() {
        clearTimeout(timer);
        resolve();
      }
      subscribeClient.once('ready', onReady);
    });
  const listen = async <V>(channel: string) => {
    // Only on a connected client: a subscription sent while Redis is away would fail later with a rejection
    // nobody can catch. While Redis is away this refuses at once; before it was first reached (a process
    // just started) it waits a moment for the connection.
    if (subscribeClient.status !== 'ready') {
      if (reached) throw new Error('Redis is not connected');
      await readyWithin(2_000);
    }
    return listenOn<V>(channels, channel, queueOptions, channels.subscribe(channel));
  };
  return {
    mode: 'redis',
    events,
    async publish(topic, key, event) {
      await send(channelOf(topic, key), JSON.stringify(event));
      notes.published(topic, key, event.seq);
    },
    whenReady() {
      if (subscribeClient.status === 'ready') return Promise.resolve();
      return new Promise<void>((resolve) => subscribeClient.once('ready', () => resolve()));
    },
    listen: (topic, key) => listen(channelOf(topic, key)),
    observe(onEvent) {
      let closed = false;
      let queue: AsyncIterableIterator<PublishedRun[]> | undefined;
      void (async () => {
        while (!closed) {
          try {
            queue = await listen<PublishedRun[]>(PUBLISHED_CHANNEL);
            if (closed) break;
            for await (const runs of queue) {
              for (const [topic, key, from, to] of runs) for (let seq = from; seq <= to; seq++) onEvent(topic, key, seq);
            }
          } catch {
            // Redis is away: the relay publishes what it has not seen (at worst twice); look again shortly.
            await new Promise((resolve) => setTimeout(resolve, 1_000));
          }
        }
        await queue?.return?.();
      })();
      return {
        close: async () => {
          closed = true;
          await queue?.return?.();
        },
      };
    },
    async ping() {
      await publishClient.ping();
    },
    async close() {
      notes.stop();
      // The publishing client is the runtime's, closed by it.
      await subscribeClient.quit().catch(() => {});
    },
  };
}
