import { EventEmitter } from 'node:events';
import { createRedisEventTarget } from '@graphql-yoga/redis-event-target';
import { createPubSub } from 'graphql-yoga';
import { Redis } from 'ioredis';
import type { Logger } from '../logger.ts';
import type { Topics } from './topics.ts';

export type TopicName = keyof Topics;
export type TopicKey<T extends TopicName> = Topics[T][0];
export type TopicPayload<T extends TopicName> = Topics[T][1];

/**
 * Typed publish/subscribe over Redis (two clients: one publishes, one
 * subscribes) or, without a URL, inside this process.
 */
export interface Realtime {
  mode: 'redis' | 'in-process';
  /** Resolves when the broker has the message (Redis) or listeners have it (in-process). */
  publish<T extends TopicName>(topic: T, key: TopicKey<T>, payload: TopicPayload<T>): Promise<void>;
  /**
   * Resolves once the listener is registered with the broker: anything
   * published after that is delivered. Closing the iterator unsubscribes.
   */
  listen<T extends TopicName>(topic: T, key: TopicKey<T>): Promise<AsyncIterableIterator<TopicPayload<T>>>;
  /** Emits `listening` (channel) when a listener is in place; tests wait on it. */
  events: EventEmitter;
  /** A Redis client for other shared state (rate limits), or null in-process. */
  redis: Redis | null;
  ping(): Promise<void>;
  close(): Promise<void>;
}

const channelOf = (topic: string, key: string) => `${topic}:${key}`;

export function createRealtime(redisUrl: string | undefined, logger: Logger): Realtime {
  const events = new EventEmitter();
  events.setMaxListeners(0);
  if (!redisUrl) {
    const pubsub = createPubSub<Topics>();
    return {
      mode: 'in-process',
      events,
      redis: null,
      async publish(topic, key, payload) {
        (pubsub.publish as (t: string, k: string, p: unknown) => void)(topic, key, payload);
      },
      listen: (topic, key) =>
        primed(
          (pubsub.subscribe as (t: string, k: string) => AsyncIterable<unknown>)(topic, key),
          channelOf(topic, key),
          events,
        ),
      ping: async () => {},
      close: async () => {},
    };
  }

  const log = logger.child({ module: 'redis' });
  const options = {
    // Commands fail fast while Redis is away instead of queueing without bound.
    maxRetriesPerRequest: 2,
    retryStrategy: (times: number) => Math.min(times * 200, 2_000),
  };
  const publishClient = new Redis(redisUrl, { ...options, connectionName: 'plaza-pub' });
  const subscribeClient = new Redis(redisUrl, { ...options, connectionName: 'plaza-sub' });
  for (const [name, client] of [
    ['publish', publishClient],
    ['subscribe', subscribeClient],
  ] as const) {
    client.on('error', (err: Error) => log.warn({ err: err.message, client: name }, 'redis client error'));
    client.on('reconnecting', () => log.info({ client: name }, 'redis reconnecting'));
  }
  const redisTarget = createRedisEventTarget({ publishClient, subscribeClient });
  const pubsub = createPubSub<Topics>({
    eventTarget: {
      addEventListener: redisTarget.addEventListener,
      removeEventListener: redisTarget.removeEventListener,
      // Publishing goes through `publish` below, which awaits Redis and reports failures.
      dispatchEvent: () => {
        throw new Error('publish through Realtime.publish');
      },
    },
  });
  return {
    mode: 'redis',
    events,
    redis: publishClient,
    async publish(topic, key, payload) {
      await publishClient.publish(channelOf(topic, key), JSON.stringify(payload));
    },
    async listen(topic, key) {
      const channel = channelOf(topic, key);
      return primed(
        (pubsub.subscribe as (t: string, k: string) => AsyncIterable<unknown>)(topic, key),
        channel,
        events,
        async () => {
          // Redis answers commands in order: this confirmation comes after the event target's own SUBSCRIBE.
          await subscribeClient.subscribe(channel);
        },
      );
    },
    async ping() {
      await publishClient.ping();
    },
    async close() {
      await Promise.allSettled([publishClient.quit(), subscribeClient.quit()]);
    },
  };
}

/**
 * Starts the subscription at once (the underlying Repeater registers its
 * listener on the first `next`), waits for the broker, and hands back an
 * iterator that yields that first pending result before the rest.
 */
async function primed<T>(
  iterable: AsyncIterable<unknown>,
  channel: string,
  events: EventEmitter,
  confirm?: () => Promise<void>,
): Promise<AsyncIterableIterator<T>> {
  const inner = iterable[Symbol.asyncIterator]() as AsyncIterator<T>;
  let first: Promise<IteratorResult<T>> | null = inner.next();
  try {
    await confirm?.();
  } catch (err) {
    await inner.return?.();
    throw err;
  }
  events.emit('listening', channel);
  const iterator: AsyncIterableIterator<T> = {
    next() {
      const pending = first;
      first = null;
      return pending ?? inner.next();
    },
    return: async (value?: unknown) => (await inner.return?.(value)) ?? { done: true, value: undefined },
    throw: async (err?: unknown) => (await inner.throw?.(err)) ?? { done: true, value: undefined },
    [Symbol.asyncIterator]() {
      return iterator;
    },
  };
  return iterator;
}
