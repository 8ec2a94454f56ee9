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
  /** The server process's CPU time (user and system, whole process) per delivery over the timed blocks; steadier than rates on a busy machine. */
  cpuMicrosPerDelivery?: number;
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

/** The time of each change in a block of `count` changes numbered from `first`, and the block's wall time. */
export interface Block {
  times: number[];
  elapsedMs: number;
  /** The server's CPU time over the block, when read. */
  cpuMs?: number;
}

export async function timeChanges(first: number, count: number, fire: (version: number) => Promise<void>, waitForAll: (v: number) => Promise<void>): Promise<Block> {
  const times: number[] = [];
  const started = performance.now();
  for (let version = first; version < first + count; version++) {
    const t0 = performance.now();
    await fire(version);
    await waitForAll(version);
    times.push(performance.now() - t0);
  }
  return { times, elapsedMs: performance.now() - started };
}

/** One side's figures over all its blocks: p50/p99 of every change, deliveries over the blocks' own time (not the connects between). */
export function sideOf(subscribers: number, blocks: Block[]): FanoutSide {
  const times = blocks.flatMap((b) => b.times);
  const elapsed = blocks.reduce((sum, b) => sum + b.elapsedMs, 0) / 1000;
  const { p50, p99 } = summary(times);
  const side: FanoutSide = { p50Ms: p50, p99Ms: p99, deliveriesPerSecond: round((subscribers * times.length) / elapsed, 0) };
  if (blocks.every((b) => b.cpuMs !== undefined)) {
    side.cpuMicrosPerDelivery = round((blocks.reduce((sum, b) => sum + b.cpuMs!, 0) * 1000) / (subscribers * times.length));
  }
  return side;
}

/** A block of changes timed, with the CPU time `server` spent over it. */
export async function timedOn(server: Started, block: () => Promise<Block>): Promise<Block> {
  const cpuBefore = server.cpuMs();
  const timed = await block();
  return { ...timed, cpuMs: server.cpuMs() - cpuBefore };
}

export async function measure(count: number, changes: number, fire: (version: number) => Promise<void>, waitForAll: (v: number) => Promise<void>): Promise<FanoutSide> {
  return sideOf(count, [await timeChanges(1, changes, fire, waitForAll)]);
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

/**
 * Memory per idle subscribed connection at each size, then fan-out at each size, for Plaza and the
 * baseline: `changes` changes each, in `rounds` blocks taken in turn.
 */
export async function runFanout(plaza: Started, baseline: Started, sizes: number[], changes: number, rounds: number) {
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
    // Plaza and the baseline take turns, in blocks of changes, each on sockets of its own (both sets at
    // once would not fit the file-descriptor limit at 10k), the order mirrored every other round
    // (Plaza, baseline, baseline, Plaza, …): the machine's drift over the run then weighs on both sides
    // alike instead of on whichever went second.
    const perBlock = Math.max(1, Math.round(changes / rounds));
    /** One server's turns: each connects `size` subscribers, times `perBlock` changes (numbered on from the last turn's), disconnects. */
    const turns = (server: Started, fire: (version: number) => Promise<void>, token?: string) => {
      const blocks: Block[] = [];
      let next = 1;
      const take = async () => {
        const pool = await openSubscribers(server.url, size, operation, token);
        blocks.push(await timedOn(server, () => timeChanges(next, perBlock, fire, (v) => pool.waitForAll(v))));
        next += perBlock;
        await pool.close();
      };
      return { blocks, take };
    };
    const plazaTurns = turns(
      plaza,
      async (v) => void (await gql(plaza.url, HIGHLIGHT, { i: { channelId: channel, productId: products[v % 2] } }, seller.token)),
      viewer.token,
    );
    const baseTurns = turns(baseline, async (v) => void (await request(`http://127.0.0.1:${baseline.port}/fire?version=${v}`, { method: 'POST' })).body.dump());
    for (let r = 0; r < rounds; r++) {
      const [first, second] = r % 2 === 0 ? [plazaTurns, baseTurns] : [baseTurns, plazaTurns];
      await first.take();
      await second.take();
    }
    const plazaSide = sideOf(size, plazaTurns.blocks);
    const baseSide = sideOf(size, baseTurns.blocks);

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
