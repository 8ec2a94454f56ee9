import { gql, signUp } from '../lib/graphql.ts';
import type { Started } from '../lib/processes.ts';
import { round } from '../lib/stats.ts';
import { openSubscribers } from '../lib/subscribers.ts';
import { benchChannel } from './fanout.ts';

const SUB = 'subscription($id: ID!) { productHighlighted(channelId: $id) { version product { id } } }';

/** Highlight changes fired on instance A as fast as they commit; subscribers on instance B. */
export async function runAcrossInstances(a: Started, b: Started, subscribers: number, events: number, concurrency: number) {
  const { seller, channel, products } = await benchChannel(a.url);
  const viewer = await signUp(b.url, 'viewer');
  const pool = await openSubscribers(b.url, subscribers, { query: SUB, variables: { id: channel } }, viewer.token);
  const t0 = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < events) {
        const i = next++;
        await gql(a.url, 'mutation($i: HighlightProductInput!) { highlightProduct(input: $i) { version } }', { i: { channelId: channel, productId: products[i % 2] } }, seller.token);
      }
    }),
  );
  await pool.waitForAll(events);
  const seconds = (performance.now() - t0) / 1000;
  await pool.close();
  return {
    subscribers,
    events,
    eventsPerSecond: round(events / seconds, 0),
    deliveriesPerSecond: round((events * subscribers) / seconds, 0),
  };
}
