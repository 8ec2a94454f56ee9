import type { Started } from '../lib/processes.ts';
import { gql, signUp } from '../lib/graphql.ts';
import { round, summary } from '../lib/stats.ts';
import { openSubscribers } from '../lib/subscribers.ts';
import { benchViewers } from './presence.ts';

// Each post's content is its number, selected as `version`: the subscribers' pools count deliveries by it.
const SUB = 'subscription($id: ID!, $after: String) { postCreated(sectionId: $id, after: $after) { id version: content author { id username } createdAt } }';
const VERSION = /"version":"(\d+)"/;

export interface BlockingSide {
  /** Subscribers each post was timed to reach (those not blocking its author). */
  receivers: number;
  p50Ms: number;
  p99Ms: number;
  cpuMicrosPerDelivery: number;
}

export interface BlockingResult {
  subscribers: number;
  blockingShare: number;
  posts: number;
  none: BlockingSide;
  blocking: BlockingSide;
  /** p50 with 1% blocking over p50 with none (target at most 1.1). */
  p50Ratio: number;
  cpuRatio: number;
  /** Subscribes the server refused while thousands came at once (each sent again). */
  refusedSubscribes: number;
  firstRefusal?: string;
}

/**
 * postCreated to `count` subscribers, each a user of their own, with none of
 * them blocking the poster and then with 1% of them blocking the poster: the
 * posts are timed to reach everyone they are for. The two sides take turns
 * (none, 1%, 1%, none) on the same sockets' users, blocks made and undone
 * through the API between them.
 */
export async function runBlockingFanout(
  plaza: Started,
  { databaseUrl, jwtSecret, count, posts }: { databaseUrl: string; jwtSecret: string; count: number; posts: number },
): Promise<BlockingResult> {
  const poster = await signUp(plaza.url, 'poster');
  const section = (await gql(plaza.url, 'mutation($i: CreateSectionInput!) { createSection(input: $i) { id } }', { i: { name: 'Blocking', slug: `blocking-${Date.now()}` } }, poster.token))
    .createSection.id as string;
  const tokens = await benchViewers(databaseUrl, jwtSecret, count);
  const blockerCount = Math.max(1, Math.round(count / 100));
  const blockers = tokens.slice(0, blockerCount);
  const others = tokens.slice(blockerCount);
  const setBlocks = (block: boolean) =>
    Promise.all(blockers.map((token) => gql(plaza.url, `mutation($u: ID!) { ${block ? 'blockUser' : 'unblockUser'}(userId: $u) { id } }`, { u: poster.id }, token)));

  let version = 0;
  /** The next post; its cursor in the section's stream. */
  const post = async () =>
    (await gql(plaza.url, 'mutation($i: CreatePostInput!) { createPost(input: $i) { cursor } }', { i: { sectionId: section, content: String(++version) } }, poster.token))
      .createPost.cursor as string;
  const sides = { none: [] as number[], blocking: [] as number[] };
  const cpu = { none: 0, blocking: 0 };
  const deliveries = { none: 0, blocking: 0 };
  const refused: string[] = [];

  for (const side of ['none', 'blocking', 'blocking', 'none'] as const) {
    await setBlocks(side === 'blocking');
    // Subscribed after the blocks are made (each subscriber's list is read when it subscribes), resuming
    // after the last post: one that lands before a socket's subscribe is in place is replayed to it, not lost.
    const operation = { query: SUB, variables: { id: section, after: await post() } };
    const options = { versionPattern: VERSION, readyOnAck: true };
    const pool = await openSubscribers(plaza.url, others.length, operation, (i) => others[i]!, options);
    const blockerPool = await openSubscribers(plaza.url, blockers.length, operation, (i) => blockers[i]!, options);
    const all = async (v: number) => {
      await pool.waitForAll(v);
      if (side === 'none') await blockerPool.waitForAll(v);
    };
    // Untimed: until every subscription is in place.
    await post();
    await all(version);
    const cpuBefore = plaza.cpuMs();
    for (let i = 0; i < posts; i++) {
      const started = performance.now();
      await post();
      await all(version);
      sides[side].push(performance.now() - started);
    }
    cpu[side] += plaza.cpuMs() - cpuBefore;
    deliveries[side] += posts * (side === 'none' ? count : others.length);
    // The blockers got none of the posts while they blocked the poster.
    if (side === 'blocking' && [...blockerPool.seen.keys()].length > 0) throw new Error('a subscriber blocking the poster was sent a post');
    refused.push(...pool.refused, ...blockerPool.refused);
    await pool.close();
    await blockerPool.close();
  }
  const sideOf = (name: 'none' | 'blocking'): BlockingSide => {
    const { p50, p99 } = summary(sides[name]);
    return { receivers: name === 'none' ? count : others.length, p50Ms: p50, p99Ms: p99, cpuMicrosPerDelivery: round((cpu[name] * 1000) / deliveries[name]) };
  };
  const none = sideOf('none');
  const blocking = sideOf('blocking');
  return {
    subscribers: count,
    blockingShare: blockerCount / count,
    posts: sides.none.length,
    none,
    blocking,
    p50Ratio: round(blocking.p50Ms / none.p50Ms),
    cpuRatio: round(blocking.cpuMicrosPerDelivery / none.cpuMicrosPerDelivery),
    refusedSubscribes: refused.length,
    ...(refused.length > 0 ? { firstRefusal: refused[0] } : {}),
  };
}
