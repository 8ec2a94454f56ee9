import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../src/app.ts';
import { redisAvailable, startTestApp } from './helpers/app.ts';
import { codeOf, gql, localIdOf, ok, signUp, type TestUser } from './helpers/http.ts';
import { listening, type Subscription, subscribeSse, subscribeWs, wsClient } from './helpers/subscriptions.ts';

const ACTIVITY = /* GraphQL */ `
  subscription {
    storyActivity {
      __typename
      ... on StoryViewed { storyId viewer { username } viewedAt }
      ... on StoryReacted { storyId user { username } emoji reactedAt }
    }
  }
`;
const CREATE = 'mutation($i: CreateStoryInput!) { createStory(input: $i) { id mediaUrl caption createdAt expiresAt author { username } } }';
const VIEW = 'mutation($id: ID!) { viewStory(storyId: $id) { id } }';
const REACT = 'mutation($i: StoryReactionInput!) { reactToStory(input: $i) { id } }';

async function createStory(app: App, user: TestUser, caption = 'hi') {
  return (await ok(app, CREATE, { i: { mediaUrl: 'https://cdn.example.com/s.jpg', caption } }, user.token)).createStory;
}

/** Opens a storyActivity subscription and resolves once it is live. */
async function activity(app: App, user: TestUser, over: 'ws' | 'sse' = 'ws') {
  const ready = listening(app, `story:activity:${localIdOf(user.id)}`);
  if (over === 'sse') {
    const sub = subscribeSse(app, user.token, ACTIVITY);
    await ready;
    return { sub, close: async () => sub.dispose() };
  }
  const { client } = wsClient(app, user.token);
  const sub = subscribeWs(client, ACTIVITY);
  await ready;
  return {
    sub,
    close: async () => {
      sub.dispose();
      await client.dispose();
    },
  };
}

const kinds = (sub: Subscription) => sub.results.map((r) => `${r.storyActivity.__typename}:${r.storyActivity.viewer?.username ?? r.storyActivity.user?.username}:${r.storyActivity.emoji ?? ''}`);

describe('stories', () => {
  let app: App;
  let alice: TestUser;
  let bob: TestUser;
  let carol: TestUser;
  beforeAll(async () => {
    app = await startTestApp({ env: { STORY_REACTIONS_PER_MINUTE: '5' } });
    [alice, bob, carol] = [await signUp(app, 'alice'), await signUp(app, 'bob'), await signUp(app, 'carol')];
  });
  afterAll(() => app?.stop());

  it('reaches the author on every connection, once per first view, each reaction, never for own actions, never others', async () => {
    const story = await createStory(app, alice);
    const subs = [await activity(app, alice), await activity(app, alice), await activity(app, alice, 'sse')];
    const carolSub = await activity(app, carol);

    await ok(app, VIEW, { id: story.id }, bob.token);
    for (const { sub } of subs) await sub.waitFor(1);
    await ok(app, VIEW, { id: story.id }, bob.token); // a second view: nobody hears of it
    await ok(app, VIEW, { id: story.id }, alice.token); // the author's own view: nothing
    await ok(app, REACT, { i: { storyId: story.id, emoji: '🔥' } }, alice.token); // own reaction: nothing
    await ok(app, REACT, { i: { storyId: story.id, emoji: '😍' } }, bob.token);
    for (const { sub } of subs) {
      await sub.waitFor(2);
      // The reaction came right after the first view: nothing else came in between.
      expect(kinds(sub)).toEqual([`StoryViewed:${bob.username}:`, `StoryReacted:${bob.username}:😍`]);
      expect(sub.results[0].storyActivity.storyId).toBe(story.id);
    }

    // Carol hears only of her own story, and that first.
    const carolStory = await createStory(app, carol);
    await ok(app, VIEW, { id: carolStory.id }, bob.token);
    await carolSub.sub.waitFor(1);
    expect(kinds(carolSub.sub)).toEqual([`StoryViewed:${bob.username}:`]);
    for (const s of [...subs, carolSub]) await s.close();
  });

  it('shows views and reactions to the author only', async () => {
    const story = await createStory(app, alice);
    await ok(app, VIEW, { id: story.id }, bob.token);
    await ok(app, VIEW, { id: story.id }, carol.token);
    await ok(app, REACT, { i: { storyId: story.id, emoji: '👏' } }, bob.token);
    const QUERY = 'query($id: ID!) { node(id: $id) { ... on Story { views(first: 1) { edges { node { viewer { username } } } pageInfo { hasNextPage endCursor } } reactions { edges { node { emoji user { username } } } } } } }';
    const mine = await ok(app, QUERY, { id: story.id }, alice.token);
    expect(mine.node.views.edges).toEqual([{ node: { viewer: { username: carol.username } } }]);
    expect(mine.node.views.pageInfo.hasNextPage).toBe(true);
    const next = await ok(app, 'query($id: ID!, $after: String) { node(id: $id) { ... on Story { views(first: 5, after: $after) { edges { node { viewer { username } } } } } } }', { id: story.id, after: mine.node.views.pageInfo.endCursor }, alice.token);
    expect(next.node.views.edges).toEqual([{ node: { viewer: { username: bob.username } } }]);
    expect(mine.node.reactions.edges).toEqual([{ node: { emoji: '👏', user: { username: bob.username } } }]);
    const theirs = await gql(app, QUERY, { id: story.id }, bob.token);
    expect(codeOf(theirs)).toBe('FORBIDDEN');
    expect(theirs.data?.node).toEqual({ views: null, reactions: null });
  });

  it('lists unexpired stories newest first and refuses views of an expired one', async () => {
    const older = await createStory(app, bob, 'older');
    const newer = await createStory(app, bob, 'newer');
    const feed = await ok(app, '{ storiesFeed { id } }', {}, carol.token);
    const ids = feed.storiesFeed.map((s: { id: string }) => s.id);
    expect(ids.indexOf(newer.id)).toBeLessThan(ids.indexOf(older.id));
    await app.runtime.database.pool.query("update stories set expires_at = now() - interval '1 second' where id = $1", [localIdOf(older.id)]);
    expect(codeOf(await gql(app, VIEW, { id: older.id }, carol.token))).toBe('NOT_FOUND');
    expect(codeOf(await gql(app, REACT, { i: { storyId: older.id, emoji: '👍' } }, carol.token))).toBe('NOT_FOUND');
    const after = await ok(app, '{ storiesFeed { id } }', {}, carol.token);
    expect(after.storiesFeed.map((s: { id: string }) => s.id)).not.toContain(older.id);
    expect(await app.runtime.services.stories.deleteExpired()).toBeGreaterThanOrEqual(1);
    const { rows } = await app.runtime.database.pool.query('select count(*)::int as n from stories where id = $1', [localIdOf(older.id)]);
    expect(rows[0].n).toBe(0);
  });

  it('refuses bad input and changes nothing', async () => {
    const count = async () => (await app.runtime.database.pool.query('select count(*)::int as n from stories')).rows[0].n;
    const before = await count();
    for (const i of [
      { mediaUrl: 'not a url' },
      { mediaUrl: 'javascript:alert(1)' },
      { mediaUrl: `https://x.example/${'a'.repeat(2_040)}` },
      { mediaUrl: 'https://x.example/a.jpg', caption: 'c'.repeat(501) },
    ]) {
      expect(codeOf(await gql(app, CREATE, { i }, alice.token))).toBe('BAD_USER_INPUT');
    }
    expect(await count()).toBe(before);
    const story = await createStory(app, alice);
    expect(codeOf(await gql(app, REACT, { i: { storyId: story.id, emoji: 'nope' } }, bob.token))).toBe('BAD_USER_INPUT');
    expect(codeOf(await gql(app, CREATE, { i: { mediaUrl: 'https://x.example/a.jpg' } }))).toBe('UNAUTHENTICATED');
    const anon = subscribeSse(app, '', ACTIVITY);
    expect(JSON.stringify(await anon.waitForError())).toContain('UNAUTHENTICATED');
    anon.dispose();
  });

  it('rate-limits reactions per user with RATE_LIMITED and retryAfterSeconds', async () => {
    const story = await createStory(app, alice);
    const limited = await signUp(app, 'eager');
    for (let i = 0; i < 5; i++) await ok(app, REACT, { i: { storyId: story.id, emoji: '❤️' } }, limited.token);
    const res = await gql(app, REACT, { i: { storyId: story.id, emoji: '❤️' } }, limited.token);
    expect(codeOf(res)).toBe('RATE_LIMITED');
    expect(res.errors?.[0]?.extensions?.retryAfterSeconds).toBeGreaterThan(0);
    const { rows } = await app.runtime.database.pool.query('select count(*)::int as n from story_reactions where user_id = $1', [localIdOf(limited.id)]);
    expect(rows[0].n).toBe(5);
    // Another user is not held back.
    await ok(app, REACT, { i: { storyId: story.id, emoji: '❤️' } }, carol.token);
  });
});

describe.skipIf(!redisAvailable())('stories across instances', () => {
  let one: App;
  let two: App;
  beforeAll(async () => {
    [one, two] = await Promise.all([startTestApp({ redis: true }), startTestApp({ redis: true })]);
  });
  afterAll(async () => {
    await Promise.all([one?.stop(), two?.stop()]);
  });

  it('reaches the author on one instance when a view is made on the other', async () => {
    const alice = await signUp(one, 'alice');
    const bob = await signUp(two, 'bob');
    const story = await createStory(one, alice);
    const { sub, close } = await activity(one, alice);
    await ok(two, VIEW, { id: story.id }, bob.token);
    const [event] = await sub.waitFor(1);
    expect(event.storyActivity).toMatchObject({ __typename: 'StoryViewed', storyId: story.id, viewer: { username: bob.username } });
    await close();
  });
});
