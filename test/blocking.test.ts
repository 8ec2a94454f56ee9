import { describe, expect, it } from 'vitest';
import { redisAvailable, twoInstances } from './helpers/app.ts';
import { codeOf, createPost, createSection, gql, localIdOf, ok, signUp } from './helpers/http.ts';
import { listening, subscribeSse, subscribeWs, wsClient } from './helpers/subscriptions.ts';

const BLOCK = 'mutation($u: ID!) { blockUser(userId: $u) { id } }';
const UNBLOCK = 'mutation($u: ID!) { unblockUser(userId: $u) { id } }';
const CREATED = 'subscription($id: ID!, $after: String) { postCreated(sectionId: $id, after: $after) { id author { id } cursor } }';
const FEED = 'query($id: ID!) { section(id: $id) { posts(first: 50) { edges { node { id } } } } }';
const STORY = 'mutation { createStory(input: { mediaUrl: "https://example.com/s.jpg" }) { id } }';

describe.skipIf(!redisAvailable())('blocking, per viewer, on two instances', () => {
  const instances = twoInstances({ redis: true });

  it("filters the blocked author's posts for the blocker only: queries, live over WS and SSE, and replays", async () => {
    const { a, b } = instances;
    const [blocker, blocked, bystander] = await Promise.all([signUp(a, 'blocker'), signUp(a, 'blocked'), signUp(b, 'bystander')]);
    const section = await createSection(a, bystander);
    const early = await createPost(a, blocked, section.id, 'before the block');
    const key = `post:created:${localIdOf(section.id)}`;

    // The blocker subscribes on A; the block is made on B: A's list follows.
    const ready = Promise.all([listening(a, key), listening(a, key), listening(b, key)]);
    const { client } = wsClient(a, blocker.token);
    const ws = subscribeWs(client, CREATED, { id: section.id });
    const sse = subscribeSse(a, blocker.token, CREATED, { id: section.id });
    const { client: otherClient } = wsClient(b, bystander.token);
    const other = subscribeWs(otherClient, CREATED, { id: section.id });
    await ready;
    expect(codeOf(await gql(b, BLOCK, { u: blocker.id }, blocker.token))).toBe('BAD_USER_INPUT');
    await ok(b, BLOCK, { u: blocked.id }, blocker.token);
    await expect.poll(() => a.runtime.services.blockLists.size).toBeGreaterThan(0);
    // The list A holds is reloaded by the announcement: wait until it has the blocked user.
    const list = await a.runtime.services.blockLists.hold(localIdOf(blocker.id));
    await expect.poll(() => list.has(localIdOf(blocked.id)), { timeout: 5_000 }).toBe(true);
    list.release();

    const hidden = await createPost(b, blocked, section.id, 'from the blocked');
    const shown = await createPost(b, bystander, section.id, 'from the bystander');
    for (const sub of [ws, sse]) expect((await sub.waitFor(1)).map((r) => r.postCreated.id)).toEqual([shown.id]);
    expect((await other.waitFor(2)).map((r) => r.postCreated.id)).toEqual([hidden.id, shown.id]);
    expect(ws.results).toHaveLength(1);

    // Queries.
    const feed = (token: string) => ok(a, FEED, { id: section.id }, token).then((d) => d.section.posts.edges.map((e: any) => e.node.id));
    expect(await feed(blocker.token)).toEqual([shown.id]);
    expect(await feed(bystander.token)).toEqual([shown.id, hidden.id, early.id]);
    expect((await ok(a, 'query($id: ID!) { post(id: $id) { id } }', { id: hidden.id }, blocker.token)).post).toBeNull();

    // A replay from before the first post, on the other instance.
    const cursor = (await other.waitFor(1))[0].postCreated.cursor as string;
    const start = Buffer.from(Buffer.from(cursor, 'base64url').toString().replace(/\n\d+$/, '\n0')).toString('base64url');
    const replay = subscribeSse(b, blocker.token, CREATED, { id: section.id, after: start });
    expect((await replay.waitFor(1)).map((r) => r.postCreated.id)).toEqual([shown.id]);

    // Unblocked: the next post reaches them again.
    await ok(a, UNBLOCK, { u: blocked.id }, blocker.token);
    await expect.poll(async () => (await feed(blocker.token)).length).toBe(3);
    const list2 = await a.runtime.services.blockLists.hold(localIdOf(blocker.id));
    await expect.poll(() => list2.has(localIdOf(blocked.id)), { timeout: 5_000 }).toBe(false);
    list2.release();
    const again = await createPost(b, blocked, section.id, 'after the unblock');
    expect((await ws.waitFor(2)).map((r) => r.postCreated.id)).toEqual([shown.id, again.id]);

    for (const sub of [ws, sse, other, replay]) sub.dispose();
    await client.dispose();
    await otherClient.dispose();
  });

  it("hides the blocker's stories from the blocked user, and the blocked user's reactions from the blocker", async () => {
    const { a, b } = instances;
    const [author, blocked, friend] = await Promise.all([signUp(a, 'author'), signUp(a, 'blocked'), signUp(a, 'friend')]);
    const story = (await ok(a, STORY, {}, author.token)).createStory.id;
    const ready = listening(b, `story:activity:${localIdOf(author.id)}`);
    const { client } = wsClient(b, author.token);
    const activity = subscribeWs(client, 'subscription { storyActivity { __typename ... on StoryReacted { user { id } emoji } } }');
    await ready;
    await ok(a, 'mutation($s: ID!) { reactToStory(input: { storyId: $s, emoji: "🔥" }) { id } }', { s: story }, blocked.token);
    expect((await activity.waitFor(1))[0].storyActivity.user.id).toBe(blocked.id);

    await ok(a, BLOCK, { u: blocked.id }, author.token);
    const list = await b.runtime.services.blockLists.hold(localIdOf(author.id));
    await expect.poll(() => list.has(localIdOf(blocked.id)), { timeout: 5_000 }).toBe(true);
    list.release();
    const react = (user: { token: string }, emoji: string) =>
      gql(a, 'mutation($s: ID!, $e: String!) { reactToStory(input: { storyId: $s, emoji: $e }) { id } }', { s: story, e: emoji }, user.token);
    expect(codeOf(await react(blocked, '😡'))).toBe('NOT_FOUND');
    expect(codeOf(await gql(a, 'mutation($s: ID!) { viewStory(storyId: $s) { id } }', { s: story }, blocked.token))).toBe('NOT_FOUND');
    expect((await ok(a, 'query($id: ID!) { node(id: $id) { id } }', { id: story }, blocked.token).catch(() => ({ node: null }))).node ?? null).toBeNull();
    expect((await ok(a, '{ storiesFeed { id } }', {}, blocked.token)).storiesFeed.map((s: any) => s.id)).not.toContain(story);
    expect((await ok(a, '{ storiesFeed { id } }', {}, friend.token)).storiesFeed.map((s: any) => s.id)).toContain(story);
    await react(friend, '🎉');
    const got = await activity.waitFor(2);
    expect(got.map((r) => r.storyActivity.user.id)).toEqual([blocked.id, friend.id]);
    activity.dispose();
    await client.dispose();
  });

  it('deletes a story for its author or an admin only, and its activity is never replayed', async () => {
    const { a } = instances;
    const [author, viewer] = await Promise.all([signUp(a, 'author'), signUp(a, 'viewer')]);
    const story = (await ok(a, STORY, {}, author.token)).createStory.id;
    await ok(a, 'mutation($s: ID!) { viewStory(storyId: $s) { id } }', { s: story }, viewer.token);
    expect(codeOf(await gql(a, 'mutation($s: ID!) { deleteStory(storyId: $s) }', { s: story }, viewer.token))).toBe('FORBIDDEN');
    expect((await ok(a, 'mutation($s: ID!) { deleteStory(storyId: $s) }', { s: story }, author.token)).deleteStory).toBe(story);
    expect(codeOf(await gql(a, 'mutation($s: ID!) { deleteStory(storyId: $s) }', { s: story }, author.token))).toBe('NOT_FOUND');
    const stored = await a.runtime.database.pool.query("select payload from events where topic = 'story:activity' and key = $1", [localIdOf(author.id)]);
    expect(stored.rows.map((r) => r.payload)).toEqual([{ erased: true, storyId: localIdOf(story) }]);
  });
});
