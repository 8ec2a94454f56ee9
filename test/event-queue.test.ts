import { describe, expect, it } from 'vitest';
import { EventQueue, MAX_BUFFERED_EVENTS } from '../src/realtime/event-queue.ts';

describe('event queue', () => {
  it('hands values to a waiting reader and buffers the rest in order', async () => {
    const queue = new EventQueue<number>(() => {});
    const first = queue.next();
    queue.push(1);
    queue.push(2);
    queue.push(3);
    expect(await first).toEqual({ value: 1, done: false });
    expect(await queue.next()).toEqual({ value: 2, done: false });
    expect(await queue.next()).toEqual({ value: 3, done: false });
  });

  it('ends a pending read and unsubscribes once on return', async () => {
    let closed = 0;
    const queue = new EventQueue<number>(() => closed++);
    const pending = queue.next();
    await queue.return();
    await queue.return();
    expect(await pending).toEqual({ value: undefined, done: true });
    queue.push(1);
    expect(await queue.next()).toEqual({ value: undefined, done: true });
    expect(closed).toBe(1);
  });

  it('drops the oldest events of a reader that falls too far behind', async () => {
    const queue = new EventQueue<number>(() => {});
    for (let i = 0; i < MAX_BUFFERED_EVENTS + 5; i++) queue.push(i);
    expect(await queue.next()).toEqual({ value: 5, done: false });
  });
});
