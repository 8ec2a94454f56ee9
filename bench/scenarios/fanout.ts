import type { Started } from '../lib/processes.ts';
import { gql, signUp } from '../lib/graphql.ts';
import { round, summary } from '../lib/stats.ts';
import { openSubscribers, type SubscriberPool } from '../lib/subscribers.ts';
import { request } from 'undici';

export const SUB = 'subscription($id: ID!) { productHighlighted(channelId: $id) { channelId version highlightedAt product { id name priceCents currency } } }';
export const HIGHLIGHT = 'mutation($i: HighlightProductInput!) { highlightProduct(input: $i) { version } }';

export interface FanoutSide {
  p50Ms: number;
  p99Ms: number;
  deliveriesPerSecond: number;
}

export interface FanoutResult {
  subscribers: number;
  plaza: FanoutSide;
  baseline: FanoutSide;
  /** RSS each idle subscribed connection added, Plaza and baseline, at this size. */
  plazaBytesPerConnection?: number;
  baselineBytesPerConnection?: number;
  /** Plaza's deliveries per second over the baseline's. */
  ratio: number;
}

export interface MemoryResult {
  connections: number;
  plazaBytesPerConnection: number;
  baselineBytesPerConnection: number;
  ratio: number;
}

/** A fresh channel with two products; the seller's token. */
export async function benchChannel(url: string) {
  const seller = await signUp(url, 'seller');
  const channel = (await gql(url, 'mutation { createChannel(input: { name: "Bench" }) { id } }', {}, seller.token)).createChannel.id;
  const products: string[] = [];
  for (const name of ['A', 'B']) {
    const input = { channelId: channel, name: `Product ${name}`, priceCents: 1999, currency: 'EUR' };
    products.push((await gql(url, 'mutation($i: AddProductInput!) { addProduct(input: $i) { id } }', { i: input }, seller.token)).addProduct.id);
  }
  return { seller, channel, products };
}

export async function measure(count: number, changes: number, fire: (version: number) => Promise<void>, waitForAll: (v: number) => Promise<void>): Promise<FanoutSide> {
  const times: number[] = [];
  const started = performance.now();
  for (let version = 1; version <= changes; version++) {
    const t0 = performance.now();
    await fire(version);
    await waitForAll(version);
    times.push(performance.now() - t0);
  }
  const elapsed = (performance.now() - started) / 1000;
  const { p50, p99 } = summary(times);
  return { p50Ms: p50, p99Ms: p99, deliveriesPerSecond: round((count * changes) / elapsed, 0) };
}

/**
 * Resident memory each idle subscribed connection adds, at every size: one
 * set of connections grown from the smallest size to the largest, read after
 * a full GC at each step (a process does not give memory back, so sizes
 * measured one after another from separate sets would hide all but the first).
 */
async function memoryCurve(server: Started, sizes: number[], operation: { query: string; variables: Record<string, unknown> }, token?: string) {
  const start = await server.settledRss();
  const pools: SubscriberPool[] = [];
  const perConnection = new Map<number, number>();
  let open = 0;
  for (const size of [...sizes].sort((a, b) => a - b)) {
    pools.push(await openSubscribers(server.url, size - open, operation, token));
    open = size;
    perConnection.set(size, Math.round(((await server.settledRss()) - start) / size));
  }
  await Promise.all(pools.map((pool) => pool.close()));
  return perConnection;
}

/** Memory per idle subscribed connection at each size, then fan-out at each size, for Plaza and the baseline. */
export async function runFanout(plaza: Started, baseline: Started, sizes: number[], changes: number) {
  const results: FanoutResult[] = [];
  const viewer = await signUp(plaza.url, 'viewer');
  // First, while both processes are fresh: memory is read from their growth.
  const idle = await benchChannel(plaza.url);
  const idleOperation = { query: SUB, variables: { id: idle.channel } };
  const plazaMemory = await memoryCurve(plaza, sizes, idleOperation, viewer.token);
  const baselineMemory = await memoryCurve(baseline, sizes, idleOperation);
  const largest = Math.max(...sizes);
  const memory: MemoryResult = {
    connections: largest,
    plazaBytesPerConnection: plazaMemory.get(largest)!,
    baselineBytesPerConnection: baselineMemory.get(largest)!,
    ratio: round(plazaMemory.get(largest)! / baselineMemory.get(largest)!),
  };
  for (const size of [...sizes].sort((a, b) => b - a)) {
    const { seller, channel, products } = await benchChannel(plaza.url);
    const operation = { query: SUB, variables: { id: channel } };

    const plazaPool = await openSubscribers(plaza.url, size, operation, viewer.token);
    const plazaSide = await measure(
      size,
      changes,
      async (v) => void (await gql(plaza.url, HIGHLIGHT, { i: { channelId: channel, productId: products[v % 2] } }, seller.token)),
      (v) => plazaPool.waitForAll(v),
    );
    await plazaPool.close();

    const basePool = await openSubscribers(baseline.url, size, operation);
    const baseSide = await measure(
      size,
      changes,
      async (v) => void (await request(`http://127.0.0.1:${baseline.port}/fire?version=${v}`, { method: 'POST' })).body.dump(),
      (v) => basePool.waitForAll(v),
    );
    await basePool.close();

    results.push({
      subscribers: size,
      plaza: plazaSide,
      baseline: baseSide,
      ratio: round(plazaSide.deliveriesPerSecond / baseSide.deliveriesPerSecond),
      plazaBytesPerConnection: plazaMemory.get(size)!,
      baselineBytesPerConnection: baselineMemory.get(size)!,
    });
    process.stderr.write(`fan-out ${size}: plaza p50 ${plazaSide.p50Ms} ms, baseline p50 ${baseSide.p50Ms} ms\n`);
  }
  return { fanout: results.sort((a, b) => a.subscribers - b.subscribers), memory };
}

/**
 * The same fan-out across two instances: subscribers on `b`, the changes made
 * on `a`, every event through the outbox and Redis; at each size.
 */
export async function runFanoutAcross(a: Started, b: Started, sizes: number[], changes: number): Promise<Array<FanoutSide & { subscribers: number }>> {
  const viewer = await signUp(b.url, 'viewer');
  const results: Array<FanoutSide & { subscribers: number }> = [];
  for (const size of sizes) {
    const { seller, channel, products } = await benchChannel(a.url);
    const pool = await openSubscribers(b.url, size, { query: SUB, variables: { id: channel } }, viewer.token);
    const side = await measure(
      size,
      changes,
      async (v) => void (await gql(a.url, HIGHLIGHT, { i: { channelId: channel, productId: products[v % 2] } }, seller.token)),
      (v) => pool.waitForAll(v),
    );
    await pool.close();
    results.push({ subscribers: size, ...side });
    process.stderr.write(`fan-out across instances ${size}: p50 ${side.p50Ms} ms\n`);
  }
  return results;
}
