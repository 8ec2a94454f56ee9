import { EventEmitter } from 'node:events';
import { createRedisEventTarget } from '@graphql-yoga/redis-event-target';
import { Redis } from 'ioredis';
import type { Logger } from '../logger.ts';
import type { Broker } from './broker.ts';
import { EventQueue, type EventQueueOptions } from './event-queue.ts';
import type { TopicMap } from './outbox.ts';

const channelOf = (topic: string, key: string) => `${topic}:${key}`;

// One listener per key and instance (the stream hub) drains this queue at once; the bound only guards a stall.
const queueOptions = { maxBuffered: 100_000 };

/**
 * The broker over Redis pub/sub: two clients, one publishes (only the relay
 * does), one subscribes; a message arrives once per channel and is parsed once.
 */
export function createRedisBroker<T extends TopicMap>(redisUrl: string, logger: Logger): Broker<T> {
  const events = new EventEmitter();
  events.setMaxListeners(0);

  const log = logger.child({ module: 'redis' });
  const options = {
    // Commands fail fast while Redis is away instead of queueing without bound.
    maxRetriesPerRequest: 2,
    retryStrategy: (times: number) => Math.min(times * 200, 2_000),
  };
  const publishClient = new Redis(redisUrl, { ...options, connectionName: 'plaza-pub' });
  const subscribeClient = new Redis(redisUrl, { ...options, connectionName: 'plaza-sub' });
  let reached = false;
  subscribeClient.on('ready', () => {
    if (reached) events.emit('reconnected');
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
  return {
    mode: 'redis',
    events,
    redis: publishClient,
    async publish(topic, key, event) {
      await publishClient.publish(channelOf(topic, key), JSON.stringify(event));
    },
    whenReady() {
      if (subscribeClient.status === 'ready') return Promise.resolve();
      return new Promise<void>((resolve) => subscribeClient.once('ready', () => resolve()));
    },
    async listen(topic, key) {
      // Only on a connected client: the event target's own SUBSCRIBE would otherwise fail later with a
      // rejection nobody can catch. While Redis is away this refuses at once; before it was first reached
      // (a process just started) it waits a moment for the connection.
      if (subscribeClient.status !== 'ready') {
        if (reached) throw new Error('Redis is not connected');
        await readyWithin(2_000);
      }
      const channel = channelOf(topic, key);
      return listenOn(redisTarget, channel, events, queueOptions, confirm(channel));
    },
    observe(onEvent) {
      // A connection of its own: a pattern subscription sees every channel's messages.
      const observer = new Redis(redisUrl, { ...options, connectionName: 'plaza-relay-observer' });
      observer.on('error', (err: Error) => log.debug({ err: err.message }, 'observer error'));
      void observer.psubscribe('*').catch(() => {});
      observer.on('pmessage', (_pattern: string, channel: string, message: string) => {
        const split = channel.lastIndexOf(':');
        // Published as `{"seq":N,…}`: the number is read without parsing the payload.
        const seq = /^\{"seq":(\d+)/.exec(message)?.[1];
        if (split > 0 && seq) onEvent(channel.slice(0, split), channel.slice(split + 1), Number(seq));
      });
      return { close: async () => void (await observer.quit().catch(() => {})) };
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
