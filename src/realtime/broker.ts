import type { EventEmitter } from 'node:events';
import type { StoredEvent, TopicMap } from './outbox.ts';

/**
 * Live fan-out of recorded events: Redis pub/sub, sharded on a Redis Cluster (the process's command
 * client publishes, a connection of the broker's own subscribes) or, without Redis,
 * PostgreSQL's NOTIFY (notify-broker.ts). At most once: what it loses, the
 * streams (streams.ts) repair from the outbox.
 */
export interface Broker<T extends TopicMap> {
  mode: 'redis' | 'in-process';
  /** Resolves when the broker has the message (Redis) or listeners have it (in-process); rejects when Redis is away. */
  publish<K extends keyof T & string>(topic: K, key: string, event: StoredEvent<T[K]>): Promise<void>;
  /**
   * Resolves once the listener is registered with the broker: anything
   * published after that is delivered. Closing the iterator unsubscribes.
   * Rejects at once while Redis is away.
   */
  listen<K extends keyof T & string>(topic: K, key: string): Promise<AsyncIterableIterator<StoredEvent<T[K]>>>;
  /**
   * `reconnected` when the listening side is back after an outage (what was published meanwhile is lost
   * to it: the streams catch up); `watching` (topic:key) when a subscriber joins a stream, emitted by
   * streams.ts. Tests wait on them.
   */
  events: EventEmitter;
  /**
   * Calls `onEvent` for every event any process says it published through the broker (the relay's view of
   * what writers published, a tenth of a second late); absent where nothing needs it.
   */
  observe?(onEvent: (topic: string, key: string, seq: number) => void): { close(): Promise<void> };
  /** Resolves once the broker has been reached (at once in-process). */
  whenReady(): Promise<void>;
  ping(): Promise<void>;
  close(): Promise<void>;
}

