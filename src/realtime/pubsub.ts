import { EventEmitter } from 'node:events';
import { createRedisEventTarget } from '@graphql-yoga/redis-event-target';
import { Redis } from 'ioredis';
import type { Logger } from '../logger.ts';
import { EventQueue, type EventQueueOptions } from './event-queue.ts';
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
  /** Resolves when the broker has the message (Redis) or listeners have it (in-process); never rejects. */
  publish<T extends TopicName>(topic: T, key: TopicKey<T>, payload: TopicPayload<T>): Promise<void>;
  /**
   * Resolves once the listener is registered with the broker: anything
   * published after that is delivered. Closing the iterator unsubscribes.
   */
  listen<T extends TopicName>(topic: T, key: TopicKey<T>): Promise<AsyncIterableIterator<TopicPayload<T>>>;
  /** Emits `listening` (channel) when a listener is in place, `redis-ready` (client) on each (re)connect; tests wait on them. */
  events: EventEmitter;
  /** A Redis client for other shared state (rate limits), or null in-process. */
  redis: Redis | null;
  /** Resolves once the broker has been reached (at once in-process). */
  whenReady(): Promise<void>;
  ping(): Promise<void>;
  close(): Promise<void>;
}

const channelOf = (topic: string, key: string) => `${topic}:${key}`;

export interface RealtimeOptions {
  /** Events a subscriber may have waiting before its subscription ends with SLOW_CONSUMER; default 1,000. */
  maxQueuedEvents?: number;
}

export function createRealtime(
  redisUrl: string | undefined,
  logger: Logger,
  { maxQueuedEvents }: RealtimeOptions = {},
): Realtime {
  const queueOptions = { maxBuffered: maxQueuedEvents };
  const events = new EventEmitter();
  events.setMaxListeners(0);
  if (!redisUrl) {
    const target = new EventTarget();
    return {
      mode: 'in-process',
      events,
      redis: null,
      async publish(topic, key, payload) {
        target.dispatchEvent(new CustomEvent(channelOf(topic, key), { detail: payload }));
      },
      async listen(topic, key) {
        return listenOn(target, channelOf(topic, key), events, queueOptions);
      },
      whenReady: async () => {},
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
  let reached = false;
  subscribeClient.once('ready', () => {
    reached = true;
  });
  for (const [name, client] of [
    ['publish', publishClient],
    ['subscribe', subscribeClient],
  ] as const) {
    client.on('error', (err: Error) => log.warn({ err: err.message, client: name }, 'redis client error'));
    client.on('reconnecting', () => log.info({ client: name }, 'redis reconnecting'));
    client.on('ready', () => events.emit('redis-ready', name));
  }
  // Messages arrive once per channel and are parsed once; every listener gets the same object.
  const redisTarget = createRedisEventTarget({ publishClient, subscribeClient });
  // One confirmed SUBSCRIBE per channel, shared by its listeners: ten thousand joiners of one
  // channel wait on one round trip instead of sending ten thousand commands.
  const subscribed = new Map<string, { confirmed: Promise<void>; listeners: number }>();
  const confirm = (channel: string) => {
    let entry = subscribed.get(channel);
    if (!entry) {
      // Redis answers commands in order: this confirmation comes after the event target's own SUBSCRIBE.
      const confirmed = subscribeClient.subscribe(channel).then(() => {});
      entry = { confirmed, listeners: 0 };
      subscribed.set(channel, entry);
      confirmed.catch(() => subscribed.delete(channel));
    }
    entry.listeners += 1;
    const held = entry;
    return {
      confirmed: held.confirmed,
      release: () => {
        held.listeners -= 1;
        if (held.listeners === 0 && subscribed.get(channel) === held) subscribed.delete(channel);
      },
    };
  };
  return {
    mode: 'redis',
    events,
    redis: publishClient,
    async publish(topic, key, payload) {
      // Publishing follows a commit: while Redis is away the change is stored but its event is lost
      // (pub/sub delivers at most once), and the request that made it must not fail for that.
      try {
        await publishClient.publish(channelOf(topic, key), JSON.stringify(payload));
      } catch (err) {
        log.error({ err: (err as Error).message, topic, key }, 'event not published');
      }
    },
    whenReady() {
      if (subscribeClient.status === 'ready') return Promise.resolve();
      return new Promise<void>((resolve) => subscribeClient.once('ready', () => resolve()));
    },
    async listen(topic, key) {
      // Refused at once while Redis is away (after it was first reached; before, commands wait in
      // ioredis's queue): the event target's own SUBSCRIBE would fail later with a rejection nobody
      // can catch, and the caller learns nothing sooner by waiting.
      if (reached && subscribeClient.status !== 'ready') throw new Error('Redis is not connected');
      const channel = channelOf(topic, key);
      return listenOn(redisTarget, channel, events, queueOptions, confirm(channel));
    },
    async ping() {
      await publishClient.ping();
    },
    async close() {
      await Promise.allSettled([publishClient.quit(), subscribeClient.quit()]);
    },
  };
}

interface ListenerTarget {
  addEventListener(type: string, listener: (event: Event) => void): void;
  removeEventListener(type: string, listener: (event: Event) => void): void;
}

/**
 * Registers a listener on the channel at once, waits for the broker's
 * confirmation, and hands back the queue the listener fills. Closing the
 * queue removes the listener.
 */
async function listenOn<T>(
  target: ListenerTarget,
  channel: string,
  events: EventEmitter,
  queueOptions: EventQueueOptions,
  broker?: { confirmed: Promise<void>; release(): void },
): Promise<AsyncIterableIterator<T>> {
  const listener = (event: Event) => queue.push((event as CustomEvent<T>).detail);
  const queue = new EventQueue<T>(() => {
    target.removeEventListener(channel, listener);
    broker?.release();
  }, queueOptions);
  target.addEventListener(channel, listener);
  try {
    await broker?.confirmed;
  } catch (err) {
    await queue.return();
    throw err;
  }
  events.emit('listening', channel);
  return queue;
}
