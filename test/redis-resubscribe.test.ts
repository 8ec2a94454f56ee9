import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createServer, type Server, type Socket, connect as tcpConnect } from 'node:net';
import { Redis } from 'ioredis';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findFreePort } from '../src/lib/ports.ts';
import type { Broker } from '../src/realtime/broker.ts';
import { createRedisBroker } from '../src/realtime/redis-broker.ts';
import { createRedisPresenceStore } from '../src/realtime/redis-presence.ts';
import { hasRedisServer, killRedis, startRedis } from './helpers/redis.ts';

/**
 * A TCP proxy in front of Redis that can cut every connection through it, and hold back (or cut) what the next
 * connection sends from its SUBSCRIBE on: a reconnected client subscribing again while the network or Redis is slow.
 */
async function cuttingProxy(redisPort: number) {
  const sockets = new Set<Socket>();
  let next: 'pass' | 'cut' | 'hold' = 'pass';
  let subscribesCut = 0;
  let releaseHeld: (() => void) | null = null;
  const server: Server = createServer((client) => {
    const upstream = tcpConnect(redisPort, '127.0.0.1');
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('error', () => {});
      socket.on('close', () => {
        sockets.delete(socket);
        client.destroy();
        upstream.destroy();
      });
    }
    upstream.pipe(client);
    let queue: Buffer[] | null = null;
    client.on('data', (chunk: Buffer) => {
      if (queue) {
        queue.push(chunk);
        return;
      }
      if (next !== 'pass' && /subscribe/i.test(chunk.toString('latin1'))) {
        const cut = next === 'cut';
        next = 'pass';
        if (cut) {
          subscribesCut++;
          client.destroy();
          return;
        }
        queue = [chunk];
        releaseHeld = () => {
          for (const write of queue ?? []) upstream.write(write);
          queue = null;
        };
        return;
      }
      upstream.write(chunk);
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    port: (server.address() as { port: number }).port,
    cutAll: () => {
      for (const socket of sockets) socket.destroy();
    },
    cutNextSubscribe: () => {
      next = 'cut';
    },
    holdNextSubscribe: () => {
      next = 'hold';
    },
    holding: () => releaseHeld !== null,
    release: () => {
      releaseHeld?.();
      releaseHeld = null;
    },
    subscribesCut: () => subscribesCut,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

async function until(check: () => Promise<boolean>, ms: number, what: string) {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setImmediate(resolve));
  }
}

const silent = pino({ level: 'silent' });

/**
 * Cuts the connection through `proxy`, holds the SUBSCRIBE sent at the reconnect, and closes the client meanwhile
 * (a deploy's stop): its QUIT waits behind the SUBSCRIBE, and the connection goes.
 */
async function closeWhileSubscribingAgain(proxy: Awaited<ReturnType<typeof cuttingProxy>>, close: () => Promise<void>) {
  proxy.holdNextSubscribe();
  proxy.cutAll();
  await until(async () => proxy.holding(), 10_000, 'the SUBSCRIBE after the reconnect');
  const closing = close();
  proxy.cutAll();
  await closing;
}
const tick = () => new Promise((resolve) => setImmediate(resolve));

describe.skipIf(!hasRedisServer)('the Redis subscribers after a reconnect', () => {
  let redis: ChildProcess;
  let redisPort: number;
  let direct: Redis;
  let publisher: Redis;
  const subscribers = async (channel: string) => ((await direct.pubsub('NUMSUB', channel)) as [string, number])[1];

  beforeAll(async () => {
    redisPort = await findFreePort();
    redis = await startRedis(redisPort);
    direct = new Redis(redisPort, '127.0.0.1');
    publisher = new Redis(redisPort, '127.0.0.1');
  });
  afterAll(async () => {
    publisher?.disconnect();
    direct?.disconnect();
    if (redis) await killRedis(redis);
  });

  async function brokerBehind() {
    const proxy = await cuttingProxy(redisPort);
    const broker: Broker<{ thing: { text: string } }> = createRedisBroker({ url: `redis://127.0.0.1:${proxy.port}` }, publisher, silent);
    await broker.whenReady();
    const received: string[] = [];
    const queue = await broker.listen('thing', 'k');
    void (async () => {
      for await (const event of queue) received.push(event.payload.text);
    })();
    return { proxy, broker, received, queue };
  }

  it('tells the streams to catch up only once the channels are subscribed again, and again after a second drop', async () => {
    const { proxy, broker, received, queue } = await brokerBehind();
    try {
      await broker.publish('thing', 'k', { seq: 1, payload: { text: 'before' } });
      await until(async () => received.length === 1, 5_000, 'the first event');

      // Reconnected, its SUBSCRIBE held on the way: the streams are not told to catch up yet.
      let caughtUp = false;
      broker.events.once('reconnected', () => (caughtUp = true));
      proxy.holdNextSubscribe();
      proxy.cutAll();
      await until(async () => proxy.holding(), 10_000, 'the SUBSCRIBE after the reconnect');
      await tick();
      expect(caughtUp).toBe(false);
      const reconnected = once(broker.events, 'reconnected');
      proxy.release();
      await reconnected;
      // Told once Redis has the subscription: whatever is published from now on arrives.
      expect(await subscribers('thing:k')).toBe(1);

      // Dropped again as it subscribes: subscribed at the next reconnect.
      const again = once(broker.events, 'reconnected');
      proxy.cutNextSubscribe();
      proxy.cutAll();
      await again;
      expect(proxy.subscribesCut()).toBe(1);
      expect(await subscribers('thing:k')).toBe(1);
      await broker.publish('thing', 'k', { seq: 2, payload: { text: 'after' } });
      await until(async () => received.length === 2, 5_000, 'the event published after the reconnects');
      expect(received).toEqual(['before', 'after']);
    } finally {
      await queue.return?.();
      await broker.close();
      await proxy.close();
    }
  }, 30_000);

  it('leaves no rejection unhandled when closed while subscribing again (broker and presence)', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      const { proxy, broker, queue } = await brokerBehind();
      await closeWhileSubscribingAgain(proxy, () => broker.close());
      void queue.return?.();

      const presenceProxy = await cuttingProxy(redisPort);
      const presence = createRedisPresenceStore({ url: `redis://127.0.0.1:${presenceProxy.port}` }, { ttlMs: 10_000, logger: silent });
      await until(async () => (await subscribers('plaza:presence')) >= 1, 5_000, 'presence subscribed');
      await closeWhileSubscribingAgain(presenceProxy, () => presence.close());

      await tick();
      await tick();
      expect(unhandled).toEqual([]);
      await proxy.close();
      await presenceProxy.close();
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  }, 30_000);

  it('keeps presence subscribed across a drop during its resubscription', async () => {
    const proxy = await cuttingProxy(redisPort);
    const presence = createRedisPresenceStore({ url: `redis://127.0.0.1:${proxy.port}` }, { ttlMs: 10_000, logger: silent });
    const heard: number[] = [];
    presence.onPublished((occupancy) => heard.push(occupancy.count));
    try {
      await until(async () => (await subscribers('plaza:presence')) === 1, 5_000, 'presence subscribed');
      proxy.cutNextSubscribe();
      proxy.cutAll();
      await until(async () => proxy.subscribesCut() === 1 && (await subscribers('plaza:presence')) === 1, 10_000, 'presence subscribed again');
      await direct.publish('plaza:presence', JSON.stringify({ room: 'r', count: 3, ownerPresent: 0 }));
      await until(async () => heard.length === 1, 5_000, 'the occupancy published after the reconnects');
      expect(heard).toEqual([3]);
    } finally {
      await presence.close();
      await proxy.close();
    }
  }, 30_000);
});
