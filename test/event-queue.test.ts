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

  it('tells a reader that falls too far behind, then ends, instead of dropping events silently', async () => {
    let closed = 0;
    const queue = new EventQueue<number>(() => closed++);
    for (let i = 0; i < MAX_BUFFERED_EVENTS + 5; i++) queue.push(i);
    await expect(queue.next()).rejects.toMatchObject({ code: 'SLOW_CONSUMER' });
    expect(await queue.next()).toEqual({ value: undefined, done: true });
    expect(closed).toBe(1);
  });

  it('takes its limit from the caller', async () => {
    const queue = new EventQueue<number>(() => {}, { maxBuffered: 10 });
    for (let i = 0; i < 10; i++) queue.push(i);
    expect(await queue.next()).toEqual({ value: 0, done: false });
    for (let i = 0; i < 2; i++) queue.push(i);
    await expect(queue.next()).rejects.toMatchObject({ code: 'SLOW_CONSUMER' });
  });
});
