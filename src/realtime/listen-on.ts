import { EventQueue, type EventQueueOptions } from './event-queue.ts';

interface ListenerTarget {
  addEventListener(type: string, listener: (event: Event) => void): void;
  removeEventListener(type: string, listener: (event: Event) => void): void;
}

/**
 * Registers a listener for `channel` on an event target at once, waits for
 * `confirmed` (the broker's own subscription, if it has one), and hands back
 * the queue the listener fills. Closing the queue removes the listener.
 */
export async function listenOn<T>(
  target: ListenerTarget,
  channel: string,
  queueOptions: EventQueueOptions,
  confirmed?: Promise<unknown>,
): Promise<AsyncIterableIterator<T>> {
  const listener = (event: Event) => queue.push((event as CustomEvent<T>).detail);
  const queue = new EventQueue<T>(() => target.removeEventListener(channel, listener), queueOptions);
  target.addEventListener(channel, listener);
  try {
    await confirmed;
  } catch (err) {
    await queue.return();
    throw err;
  }
  return queue;
}
