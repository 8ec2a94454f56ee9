import { describe, expect, it } from 'vitest';
import { redisAvailable, twoInstances } from './helpers/app.ts';
import { codeOf, gql, localIdOf, ok, signUp } from './helpers/http.ts';
import { type Subscription, subscribeWs, wsClient } from './helpers/subscriptions.ts';

const HIGHLIGHTS = 'subscription($id: ID!) { productHighlighted(channelId: $id) { channelId } }';
const DIRECTORY = 'subscription($after: String) { liveChannels(after: $after) { channel { id name } live viewerCount cursor } }';
const CHANNELS = `query($live: Boolean, $first: Int, $after: String) {
  channels(live: $live, first: $first, after: $after) { directoryCursor edges { live cursor node { id viewerCount sellerLive } } pageInfo { hasNextPage endCursor } }
}`;

type Update = { liveChannels: { channel: { id: string; name: string }; live: boolean; viewerCount: number; cursor: string } };
type Page = { channels: { directoryCursor: string; edges: Array<{ live: boolean; cursor: string; node: { id: string; viewerCount: number; sellerLive: boolean } }>; pageInfo: { hasNextPage: boolean; endCursor: string | null } } };

/** Reads a directory subscription in order: each call waits for the next update about `channelId` saying `expected`. */
function reader(sub: Subscription<Update>, channelId: string) {
  let read = 0;
  return async (expected: { live: boolean; viewerCount: number }, timeoutMs = 10_000) => {
    for (;;) {
      const results = await sub.waitFor(read + 1, timeoutMs).catch((err: Error) => {
        throw new Error(`${err.message}: ${JSON.stringify(sub.results.map((r) => [r.liveChannels.channel.id === channelId, r.liveChannels.live, r.liveChannels.viewerCount]))}`);
      });
      const update = results[read++]!.liveChannels;
      if (update.channel.id === channelId && update.live === expected.live && update.viewerCount === expected.viewerCount) return update;
    }
  };
}

/** Opens the channel for `user` on `app` (a productHighlighted subscription): the seller goes live, anyone else counts as a viewer. */
async function open(app: Parameters<typeof wsClient>[0], user: { token: string }, channel: string) {
  const { client } = wsClient(app, user.token);
  const sub = subscribeWs(client, HIGHLIGHTS, { id: channel });
  await sub.waitFor(1);
  return { close: () => client.dispose() };
}

describe.skipIf(!redisAvailable())('the live-channel directory across two instances', () => {
  const apps = twoInstances({ redis: true, env: { PRESENCE_INTERVAL_MS: '200' } });

  it('a channel going live on A reaches liveChannels on B and tops channels(live: true); viewers move its count; its end is an update too', async () => {
    const { a, b } = apps;
    const [seller, viewer, watcher] = await Promise.all([signUp(a, 'seller'), signUp(b, 'viewer'), signUp(b, 'watcher')]);
    const channel = (await ok(a, 'mutation { createChannel(input: { name: "Night market" }) { id } }', {}, seller.token)).createChannel.id as string;
    const before = (await ok<Page>(b, CHANNELS, { live: false, first: 50 }, watcher.token)).channels;
    expect(before.edges.map((e) => e.node.id)).toContain(channel);

    const { client } = wsClient(b, watcher.token);
    const updates = subscribeWs<Update>(client, DIRECTORY, {});
    // Subscribed once an update about any channel could come: the stream's hub on B is open when a page is read.
    await ok(b, CHANNELS, { live: true }, watcher.token);
    const next = reader(updates, channel);
    const sellerTab = await open(a, seller, channel);
    const wentLive = await next({ live: true, viewerCount: 0 });
    expect(wentLive.channel.name).toBe('Night market');

    const live = (await ok<Page>(b, CHANNELS, { live: true, first: 50 }, watcher.token)).channels;
    expect(live.edges.find((e) => e.node.id === channel)).toMatchObject({ live: true, node: { sellerLive: true } });
    const all = (await ok<Page>(b, CHANNELS, { first: 50 }, watcher.token)).channels;
    const firstNotLive = all.edges.findIndex((e) => !e.live);
    expect(all.edges.findIndex((e) => e.node.id === channel)).toBeLessThan(firstNotLive === -1 ? Infinity : firstNotLive);

    const viewerTab = await open(b, viewer, channel);
    await next({ live: true, viewerCount: 1 });
    viewerTab.close();
    await next({ live: true, viewerCount: 0 });
    sellerTab.close();
    await next({ live: false, viewerCount: 0 });
    const after = (await ok<Page>(b, CHANNELS, { live: true, first: 50 }, watcher.token)).channels;
    expect(after.edges.map((e) => e.node.id)).not.toContain(channel);

    // From a page's directoryCursor, everything since comes again, in order.
    const replay = subscribeWs<Update>(wsClient(a, watcher.token).client, DIRECTORY, { after: before.directoryCursor });
    const mine = async () => {
      for (let n = 1; ; n++) {
        const got = (await replay.waitFor(n).catch((err: Error) => {
          throw new Error(`${err.message}: ${JSON.stringify(replay.results.map((r) => [r.liveChannels.channel.id === channel, r.liveChannels.live, r.liveChannels.viewerCount]))} ${JSON.stringify(replay.errors)}`);
        })).map((r) => r.liveChannels).filter((u) => u.channel.id === channel);
        if (got.length === 4) return got.map((u) => [u.live, u.viewerCount]);
      }
    };
    expect(await mine()).toEqual([[true, 0], [true, 1], [true, 0], [false, 0]]);
    updates.dispose();
    replay.dispose();
    await client.dispose();
  }, 30_000);

  it('shows nobody the channels of a seller they block: not in a page, an update or a replay', async () => {
    const { a, b } = apps;
    const [blocked, other, blocker, bystander] = await Promise.all([signUp(a, 'blocked'), signUp(a, 'other'), signUp(b, 'blocker'), signUp(b, 'bystander')]);
    const create = async (seller: typeof blocked, name: string) =>
      (await ok(a, 'mutation($name: String!) { createChannel(input: { name: $name }) { id } }', { name }, seller.token)).createChannel.id as string;
    const [hidden, shown] = [await create(blocked, 'Hidden stall'), await create(other, 'Open stall')];
    await ok(b, 'mutation($u: ID!) { blockUser(userId: $u) { id } }', { u: blocked.id }, blocker.token);
    const before = (await ok<Page>(b, CHANNELS, { first: 50 }, blocker.token)).channels;
    expect(before.edges.map((e) => e.node.id)).toContain(shown);
    expect(before.edges.map((e) => e.node.id)).not.toContain(hidden);

    const { client } = wsClient(b, blocker.token);
    const mine = subscribeWs<Update>(client, DIRECTORY, {});
    const { client: theirs } = wsClient(b, bystander.token);
    const seen = subscribeWs<Update>(theirs, DIRECTORY, {});
    await ok(b, CHANNELS, { live: true }, blocker.token);
    await ok(b, CHANNELS, { live: true }, bystander.token);
    // The blocked seller goes live (the bystander is told), then another: the blocker is told of the second only.
    const hiddenTab = await open(a, blocked, hidden);
    await reader(seen, hidden)({ live: true, viewerCount: 0 });
    const shownTab = await open(a, other, shown);
    await reader(mine, shown)({ live: true, viewerCount: 0 });
    expect(mine.results.map((r) => r.liveChannels.channel.id)).not.toContain(hidden);
    const live = (await ok<Page>(b, CHANNELS, { live: true, first: 50 }, blocker.token)).channels.edges.map((e) => e.node.id);
    expect(live).toContain(shown);
    expect(live).not.toContain(hidden);
    expect((await ok<Page>(b, CHANNELS, { live: true, first: 50 }, bystander.token)).channels.edges.map((e) => e.node.id)).toContain(hidden);

    // From before both went live, again: the blocked seller's update is not replayed either.
    const replay = subscribeWs<Update>(wsClient(a, blocker.token).client, DIRECTORY, { after: before.directoryCursor });
    await reader(replay, shown)({ live: true, viewerCount: 0 });
    expect(replay.results.map((r) => r.liveChannels.channel.id)).not.toContain(hidden);
    for (const done of [hiddenTab, shownTab]) done.close();
    for (const sub of [mine, seen, replay]) sub.dispose();
    await Promise.all([client.dispose(), theirs.dispose()]);
  }, 30_000);

  it('lists no channel whose row no instance renews (every instance holding it died)', async () => {
    const { a, b } = apps;
    const seller = await signUp(a, 'stale');
    const channel = (await ok(a, 'mutation { createChannel(input: { name: "Gone quiet" }) { id } }', {}, seller.token)).createChannel.id as string;
    const tab = await open(a, seller, channel);
    const listed = async () => (await ok<Page>(b, CHANNELS, { live: true, first: 50 }, seller.token)).channels.edges.map((e) => e.node.id);
    await expect.poll(listed, { timeout: 10_000 }).toContain(channel);
    // As if the instances holding it had stopped renewing it two presence lifetimes ago.
    await a.runtime.database.pool.query(`update channel_live set refreshed_at = now() - interval '1 hour' where channel_id = $1`, [localIdOf(channel)]);
    expect(await listed()).not.toContain(channel);
    tab.close();
  });

  it('pages live channels by viewers, then the others by age, without repeats; refuses a foreign cursor', async () => {
    const { b } = apps;
    const user = await signUp(b, 'pager');
    const seller = await signUp(b, 'livepager');
    const liveOne = (await ok(b, 'mutation { createChannel(input: { name: "Paged live" }) { id } }', {}, seller.token)).createChannel.id as string;
    const tab = await open(b, seller, liveOne);
    await expect.poll(async () => (await ok<Page>(b, CHANNELS, { live: true, first: 50 }, user.token)).channels.edges.map((e) => e.node.id), { timeout: 10_000 }).toContain(liveOne);
    const seen: Array<{ id: string; live: boolean }> = [];
    let after: string | null = null;
    for (let page = 0; page < 200; page++) {
      const result: Page['channels'] = (await ok<Page>(b, CHANNELS, { first: 3, after }, user.token)).channels;
      seen.push(...result.edges.map((e) => ({ id: e.node.id, live: e.live })));
      if (!result.pageInfo.hasNextPage) break;
      after = result.pageInfo.endCursor;
    }
    expect(new Set(seen.map((e) => e.id)).size).toBe(seen.length);
    expect(seen.map((e) => e.id)).toContain(liveOne);
    // Every live one before every other.
    expect(seen.findIndex((e) => !e.live)).toBeGreaterThan(seen.findLastIndex((e) => e.live));
    tab.close();
    const bad = async (variables: Record<string, unknown>) => codeOf(await gql(b, CHANNELS, variables, user.token));
    expect(await bad({ after: 'bm90IGEgY3Vyc29y' })).toBe('BAD_USER_INPUT');
    expect(await bad({ first: 51 })).toBe('BAD_USER_INPUT');
    expect(codeOf(await gql(b, CHANNELS, {}))).toBe('UNAUTHENTICATED');
  });
});
