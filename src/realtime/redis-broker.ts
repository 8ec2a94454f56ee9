import { EventEmitter } from 'node:events';
import { createRedisEventTarget } from '@graphql-yoga/redis-event-target';
import { Redis } from 'ioredis';
import type { Logger } from '../logger.ts';
import type { Broker } from './broker.ts';
import { listenOn } from './listen-on.ts';
import { createRedisClient, redisOptions } from './redis-client.ts';
import type { TopicMap } from './outbox.ts';

const channelOf = (topic: string, key: string) => `${topic}:${key}`;

// One listener per key and instance (the stream hub) drains this queue at once; the bound only guards a stall.
const queueOptions = { maxBuffered: 100_000 };

/**
 * The broker over Redis pub/sub: it publishes on the process's command
 * client (the runtime's, shared with rate limits and connection caps) and
 * subscribes on a connection of its own; a message arrives once per channel
 * and is parsed once.
 */
export function createRedisBroker<T extends TopicMap>(redisUrl: string, publishClient: Redis, logger: Logger): Broker<T> {
  const events = new EventEmitter();
  events.setMaxListeners(0);

  const log = logger.child({ module: 'redis' });
  const subscribeClient = createRedisClient(redisUrl, logger, 'plaza-sub');
  let reached = false;
  subscribeClient.on('ready', () => {
    if (reached) events.emit('reconnected');
    reached = true;
  });
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
      const observer = new Redis(redisUrl, { ...redisOptions, connectionName: 'plaza-relay-observer' });
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
      // The publishing client is the runtime's, closed by it.
      await subscribeClient.quit().catch(() => {});
    },
  };
}
