import { Repeater } from 'graphql-yoga';
import { describe, expect, it } from 'vitest';
import { orderedHighlights } from '../src/modules/channels/ordered-stream.ts';
import type { HighlightState } from '../src/realtime/topics.ts';

const state = (version: number): HighlightState => ({ channelId: 'c', version, highlightedAt: null, product: null });

async function take(stream: AsyncIterableIterator<HighlightState>, count: number): Promise<number[]> {
  const out: number[] = [];
  while (out.length < count) {
    const next = await stream.next();
    if (next.done) break;
    out.push(next.value.version);
  }
  await stream.return?.();
  return out;
}

describe('ordered highlight stream', () => {
  it('reorders, drops old and repeated versions', async () => {
    const source = new Repeater<HighlightState>((push) => {
      for (const v of [1, 3, 2, 2, 1, 4]) void push(state(v));
    });
    const stream = orderedHighlights(source[Symbol.asyncIterator](), state(1), async () => state(1));
    expect(await take(stream, 4)).toEqual([1, 2, 3, 4]);
  });

  it('reads the state again when a version never arrives, and jumps to it', async () => {
    const source = new Repeater<HighlightState>((push) => {
      for (const v of [1, 2, 4, 6]) void push(state(v));
    });
    let reads = 0;
    const stream = orderedHighlights(source[Symbol.asyncIterator](), state(0), async () => (reads++, state(5)), 20);
    expect(await take(stream, 5)).toEqual([0, 1, 2, 5, 6]);
    expect(reads).toBeGreaterThanOrEqual(1);
  });
});
