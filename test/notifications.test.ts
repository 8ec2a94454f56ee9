import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { App } from '../src/app.ts';
import { redisAvailable, startTestApp, twoInstances } from './helpers/app.ts';
import { createTestDatabase } from './helpers/db.ts';
import { type PlazaProcess, startPlazaProcess } from './helpers/process.ts';
import { resumingSubscription } from './helpers/resuming-client.ts';
import { createPost, createSection, localIdOf, ok, signUp, type TestUser } from './helpers/http.ts';
import { listening, subscribeSse, subscribeWs, wsClient } from './helpers/subscriptions.ts';
import { manyUsers } from './helpers/users.ts';

const INBOX = `query($unread: Boolean) {
  me { unreadNotificationCount }
  notifications(first: 20, unreadOnly: $unread) {
    edges { node { id kind count emoji readAt cursor actors(first: 3) { id } post { id } story { id } } }
  }
}`;
const ADDED = 'subscription($after: String) { notificationAdded(after: $after) { id kind count cursor actors(first: 1) { id } } }';
const STORY = 'mutation { createStory(input: { mediaUrl: "https://example.com/s.jpg" }) { id } }';
const VIEW = 'mutation($id: ID!) { viewStory(storyId: $id) { id } }';
const REACT = 'mutation($p: ID!, $e: String!) { addReaction(input: { postId: $p, emoji: $e }) { id } }';

const inbox = async (app: App, user: TestUser, unread = false) => {
  const data = await ok(app, INBOX, { unread }, user.token);
  return { unread: data.me.unreadNotificationCount as number, items: data.notifications.edges.map((e: any) => e.node) };
};

describe.skipIf(!redisAvailable() && process.env.CI !== 'true')('the notifications inbox', () => {
  const instances = twoInstances({ redis: true });

  it('coalesces 200 views of a story into one notification of count 200, which comes back unread when it grows', async () => {
    const { a, b } = instances;
    const author = await signUp(a, 'author');
    const story = (await ok(a, STORY, {}, author.token)).createStory.id;
    const viewers = await manyUsers(a, 201, 'viewer');
    await Promise.all(viewers.slice(0, 200).map((v, i) => ok(i % 2 ? a : b, VIEW, { id: story }, v.token)));
    // The author viewing their own story, and a viewer viewing again, tell nobody.
    await ok(a, VIEW, { id: story }, author.token);
    await ok(a, VIEW, { id: story }, viewers[0]!.token);

    let now = await inbox(a, author);
    expect(now.unread).toBe(1);
    expect(now.items).toHaveLength(1);
    expect(now.items[0]).toMatchObject({ kind: 'STORY_VIEWED', count: 200, readAt: null, story: { id: story }, post: null });
    expect(now.items[0].actors).toHaveLength(3);
    const { rows } = await a.runtime.database.pool.query('select count(*)::int as n from notifications where subject_id = $1', [localIdOf(story)]);
    expect(rows[0].n).toBe(1);

    expect((await ok(a, 'mutation { markNotificationsRead(input: { all: true }) }', {}, author.token)).markNotificationsRead).toBe(0);
    expect((await inbox(a, author, true)).items).toHaveLength(0);
    await ok(b, VIEW, { id: story }, viewers[200]!.token);
    now = await inbox(a, author);
    expect(now.unread).toBe(1);
    expect(now.items[0]).toMatchObject({ count: 201, readAt: null });
    expect(now.items[0].actors[0].id).toBe(viewers[200]!.id);
    // Nobody else reads it.
    expect((await ok(a, 'query($id: ID!) { node(id: $id) { id } }', { id: now.items[0].id }, viewers[0]!.token)).node).toBeNull();
    const seen = await ok(a, 'query($id: ID!) { node(id: $id) { ... on User { unreadNotificationCount } } }', { id: author.id }, viewers[0]!.token);
    expect(seen.node).toEqual({ unreadNotificationCount: null });
  });

  it('reactions per post and emoji; none for one’s own, none from someone blocked; a deleted post takes its notifications', async () => {
    const { a } = instances;
    const author = await signUp(a, 'author');
    const [fan, other, pest] = [await signUp(a, 'fan'), await signUp(a, 'other'), await signUp(a, 'pest')];
    const section = await createSection(a, author);
    const post = (await createPost(a, author, section.id, 'hello')).id;
    await ok(a, 'mutation($u: ID!) { blockUser(userId: $u) { id } }', { u: pest.id }, author.token);
    for (const [user, emoji] of [[fan, '👍'], [other, '👍'], [fan, '🎉'], [author, '👍'], [pest, '👍']] as const) {
      await ok(a, REACT, { p: post, e: emoji }, user.token);
    }
    const { items, unread } = await inbox(a, author);
    expect(unread).toBe(2);
    const byEmoji = Object.fromEntries(items.map((n: any) => [n.emoji, n]));
    expect(byEmoji['👍']).toMatchObject({ kind: 'POST_REACTED', count: 2, post: { id: post } });
    expect(byEmoji['🎉']).toMatchObject({ kind: 'POST_REACTED', count: 1 });
    expect(byEmoji['👍'].actors.map((u: any) => u.id)).toEqual([other.id, fan.id]);

    await ok(a, 'mutation($p: ID!) { deletePost(postId: $p) }', { p: post }, author.token);
    expect(await inbox(a, author)).toEqual({ unread: 0, items: [] });
  });

  it('mentions reach those who may read the section, never the author, nor a non-member, nor someone blocking the author', async () => {
    const { a } = instances;
    const author = await signUp(a, 'author');
    const [reader, outsider, blocker] = [await signUp(a, 'reader'), await signUp(a, 'outsider'), await signUp(a, 'blocker')];
    await ok(a, 'mutation($u: ID!) { blockUser(userId: $u) { id } }', { u: author.id }, blocker.token);
    const open = await createSection(a, author);
    const closed = await createSection(a, author, 'MEMBERS');
    await ok(a, 'mutation($s: ID!, $u: ID!) { addSectionMember(sectionId: $s, userId: $u) { id } }', { s: closed.id, u: reader.id }, author.token);

    const text = `hi @${reader.username} @${outsider.username.toUpperCase()} @${blocker.username} @${author.username} mail@${reader.username}.com`;
    const inOpen = (await createPost(a, author, open.id, text)).id;
    const inClosed = (await createPost(a, author, closed.id, text)).id;

    const mentions = async (user: TestUser) => (await inbox(a, user)).items.filter((n: any) => n.kind === 'MENTIONED').map((n: any) => n.post.id).sort();
    expect(await mentions(reader)).toEqual([inOpen, inClosed].sort());
    expect(await mentions(outsider)).toEqual([inOpen]);
    expect(await mentions(blocker)).toEqual([]);
    expect(await mentions(author)).toEqual([]);
  });

  it('notificationAdded: live on one instance, resumed on the other after a drop with nothing missed or twice', async () => {
    const { a, b } = instances;
    const author = await signUp(a, 'author');
    const section = await createSection(a, author);
    const posts = [];
    for (let i = 0; i < 3; i++) posts.push((await createPost(a, author, section.id, `p${i}`)).id);
    const fans = await manyUsers(a, 6, 'fan');

    const { client } = wsClient(a, author.token);
    const ready = listening(a, `notification:changed:${localIdOf(author.id)}`);
    const live = subscribeWs(client, ADDED);
    await ready;
    await ok(b, REACT, { p: posts[0], e: '👍' }, fans[0]!.token);
    const [first] = (await live.waitFor(1)).map((r) => r.notificationAdded);
    expect(first).toMatchObject({ kind: 'POST_REACTED', count: 1, actors: [{ id: fans[0]!.id }] });
    await client.dispose();

    // Missed while away: a growth of the first and two new ones.
    await ok(b, REACT, { p: posts[0], e: '👍' }, fans[1]!.token);
    await ok(a, REACT, { p: posts[1], e: '👍' }, fans[2]!.token);
    await ok(b, REACT, { p: posts[2], e: '🔥' }, fans[3]!.token);
    const resumed = subscribeSse(b, author.token, ADDED, { after: first.cursor });
    const missed = (await resumed.waitFor(3)).map((r) => r.notificationAdded);
    expect(missed.map((n) => n.count)).toEqual([2, 1, 1]);
    expect(missed[0].id).toBe(first.id);
    expect(new Set(missed.map((n) => n.id)).size).toBe(3);
    // Then live again.
    await ok(a, REACT, { p: posts[2], e: '🔥' }, fans[4]!.token);
    expect((await resumed.waitFor(4))[3].notificationAdded).toMatchObject({ id: missed[2].id, count: 2 });
    resumed.dispose();
    // Someone else's cursor is refused.
    const other = await signUp(a, 'other');
    const { client: theirs } = wsClient(a, other.token);
    expect(JSON.stringify(await subscribeWs(theirs, ADDED, { after: first.cursor }).waitForError())).toContain('BAD_USER_INPUT');
    await theirs.dispose();
  });
});

describe.skipIf(!redisAvailable() && process.env.CI !== 'true')('notificationAdded and an instance SIGKILLed', () => {
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let a: PlazaProcess;
  let b: App;
  beforeAll(async () => {
    database = await createTestDatabase();
    const env = { DATABASE_URL: database.url, REDIS_URL: inject('redisUrl')!, MAX_CONNECTIONS_PER_USER: '0', RUN_WORKERS: 'false' };
    a = await startPlazaProcess(env);
    b = await startTestApp({ redis: true, env });
  });
  afterAll(async () => {
    a?.child.kill('SIGKILL');
    await b?.stop();
    await database?.drop();
  });

  it('the author resumes on the other instance with the last cursor: nothing missed, nothing twice, and the unread count exact', async () => {
    const author = await signUp(b, 'author');
    const section = await createSection(b, author);
    const posts: string[] = [];
    for (let i = 0; i < 20; i++) posts.push((await createPost(b, author, section.id, `p${i}`)).id);
    const fans = await manyUsers(b, 20, 'fan');
    // From the inbox as a query reads it: nothing can slip between that and the subscription.
    await ok(b, REACT, { p: posts[0], e: '👍' }, fans[0]!.token);
    const start = (await ok(b, '{ notifications(first: 1) { edges { node { cursor } } } }', {}, author.token)).notifications.edges[0].node.cursor;
    const { sub, client, connections } = resumingSubscription<{ notificationAdded: { id: string; count: number; cursor: string } }>({
      urls: [a.url, b.url],
      token: author.token,
      query: ADDED,
      after: start,
      cursorOf: (data) => data.notificationAdded.cursor,
    });
    // Nine reach the author through A.
    for (let i = 1; i < 10; i++) await ok(b, REACT, { p: posts[i], e: '👍' }, fans[i]!.token);
    await sub.waitFor(9, 15_000);
    expect(connections()).toBe(1);

    const died = new Promise((resolve) => a.child.once('exit', resolve));
    a.child.kill('SIGKILL');
    await died;
    // Ten more while the author is away, with reads of the count racing them.
    const reads: Promise<unknown>[] = [];
    for (let i = 10; i < 20; i++) {
      reads.push(ok(b, '{ me { unreadNotificationCount } }', {}, author.token));
      await ok(b, REACT, { p: posts[i], e: '👍' }, fans[i]!.token);
    }
    await Promise.all(reads);
    await sub.waitFor(19, 20_000);
    const ids = sub.results.map((r) => r.notificationAdded.id);
    expect(new Set(ids).size).toBe(19);
    expect(connections()).toBeGreaterThanOrEqual(2);
    const { rows } = await b.runtime.database.pool.query('select count(*)::int as n from notifications where user_id = $1 and read_at is null', [localIdOf(author.id)]);
    expect(rows[0].n).toBe(20);
    expect((await ok(b, '{ me { unreadNotificationCount } }', {}, author.token)).me.unreadNotificationCount).toBe(20);
    sub.dispose();
    await client.dispose();
  }, 60_000);
});
