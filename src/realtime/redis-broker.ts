import { EventEmitter } from 'node:events';
import { createRedisEventTarget } from '@graphql-yoga/redis-event-target';
import { Redis } from 'ioredis';
import type { Logger } from '../logger.ts';
import type { Broker } from './broker.ts';
import { listenOn } from './listen-on.ts';
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
  }
  // Messages arrive once per channel and are parsed once; every listener gets the same object.
  const redisTarget = createRedisEventTarget({ publishClient, subscribeClient });
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
      // One listener per key and instance (the stream hub), so one SUBSCRIBE each. Redis answers in order:
      // this one's reply comes after the event target's own, so messages flow once it resolves.
      return listenOn(redisTarget, channel, queueOptions, subscribeClient.subscribe(channel));
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
