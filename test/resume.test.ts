import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../src/app.ts';
import { decodeCursor } from '../src/realtime/stream-cursor.ts';
import { redisAvailable, startTestApp } from './helpers/app.ts';
import { CREATE_POST, createPost, createSection, localIdOf, ok, signUp, type TestUser } from './helpers/http.ts';
import { listening, subscribeWs, wsClient } from './helpers/subscriptions.ts';
import { createTestDatabase } from './helpers/db.ts';

const POSTS = 'subscription($id: ID!, $after: String) { postCreated(sectionId: $id, after: $after) { content cursor } }';
const ACTIVITY = 'subscription($after: String) { storyActivity(after: $after) { ... on StoryViewed { storyId cursor } } }';
const HIGHLIGHTS =
  'subscription($id: ID!, $after: String) { productHighlighted(channelId: $id, after: $after) { version isSnapshot cursor product { name } } }';

let app: App;
let user: TestUser;
let database: Awaited<ReturnType<typeof createTestDatabase>>;
beforeAll(async () => {
  database = await createTestDatabase();
  app = await startTestApp({ env: { DATABASE_URL: database.url, CHANNEL_HIGHLIGHT_LIMIT: '1000' } });
  user = await signUp(app);
});
afterAll(async () => {
  await app?.stop();
  await database?.drop();
});

/** Subscribes and resolves once the subscription is live. */
async function subscribe(query: string, variables: Record<string, unknown>, channel: string, token = user.token) {
  const { client } = wsClient(app, token);
  const ready = listening(app, channel);
  const sub = subscribeWs(client, query, variables);
  await ready;
  return { sub, close: async () => (sub.dispose(), await client.dispose()) };
}

describe('resuming after a cursor', () => {
  it('replays every post after the cursor, in order, then goes on live with nothing twice at the seam', async () => {
    const section = await createSection(app, user);
    const channel = `post:created:${localIdOf(section.id)}`;
    const first = await subscribe(POSTS, { id: section.id }, channel);
    await createPost(app, user, section.id, 'one');
    const [seen] = await first.sub.waitFor(1);
    await first.close();

    for (const content of ['two', 'three', 'four']) await createPost(app, user, section.id, content);
    const resumed = await subscribe(POSTS, { id: section.id, after: seen.postCreated.cursor }, channel);
    await createPost(app, user, section.id, 'five');
    const results = await resumed.sub.waitFor(4);
    expect(results.map((r) => r.postCreated.content)).toEqual(['two', 'three', 'four', 'five']);
    const seqs = results.map((r) => decodeCursor(r.postCreated.cursor)!.seq);
    expect(seqs).toEqual([2, 3, 4, 5]);
    await resumed.close();
  });

  it('gives a post read by a query the cursor of its creation: subscribing after it starts right behind it', async () => {
    const section = await createSection(app, user);
    await createPost(app, user, section.id, 'old');
    const feed = await ok(app, 'query($id: ID!) { section(id: $id) { posts(first: 1) { edges { node { cursor } } } } }', { id: section.id }, user.token);
    await createPost(app, user, section.id, 'new');
    const resumed = await subscribe(POSTS, { id: section.id, after: feed.section.posts.edges[0].node.cursor }, `post:created:${localIdOf(section.id)}`);
    expect((await resumed.sub.waitFor(1))[0].postCreated.content).toBe('new');
    await resumed.close();
  });

  it('gives a post whose event is no longer kept a cursor at the stream as it stands: resuming gets what came after, nothing more', async () => {
    const section = await createSection(app, user);
    await createPost(app, user, section.id, 'older than the retention');
    await createPost(app, user, section.id, 'also old');
    expect(await app.runtime.outbox.prune(0)).toBeGreaterThan(0);
    const feed = await ok(app, 'query($id: ID!) { section(id: $id) { posts(first: 1) { edges { node { content cursor } } } } }', { id: section.id }, user.token);
    expect(feed.section.posts.edges[0].node.content).toBe('also old');
    expect(decodeCursor(feed.section.posts.edges[0].node.cursor)?.seq).toBe(2);
    await createPost(app, user, section.id, 'new');
    const resumed = await subscribe(POSTS, { id: section.id, after: feed.section.posts.edges[0].node.cursor }, `post:created:${localIdOf(section.id)}`);
    await createPost(app, user, section.id, 'newer');
    expect((await resumed.sub.waitFor(2)).map((r) => r.postCreated.content)).toEqual(['new', 'newer']);
    await resumed.close();
  });

  it('numbers a post whose event is not numbered yet before giving its cursor', async () => {
    const section = await createSection(app, user);
    const key = localIdOf(section.id);
    await createPost(app, user, section.id, 'numbered');
    // A post committed by a process that died before numbering its event (the relay would number it later).
    const post = await ok(app, CREATE_POST, { input: { sectionId: section.id, content: 'unnumbered' } }, user.token);
    await app.runtime.database.pool.query("update events set seq = null where topic = 'post:created' and key = $1 and payload->>'id' = $2", [key, localIdOf(post.createPost.id)]);
    await app.runtime.database.pool.query("update event_streams set last_seq = last_seq - 1 where topic = 'post:created' and key = $1", [key]);
    const read = await ok(app, 'query($id: ID!) { post(id: $id) { cursor } }', { id: post.createPost.id }, user.token);
    expect(decodeCursor(read.post.cursor)?.seq).toBe(2);
  });
});

describe.skipIf(!redisAvailable())('the live path over Redis', () => {
  let redisApp: App;
  beforeAll(async () => {
    redisApp = await startTestApp({ redis: true, env: { DATABASE_URL: database.url } });
  });
  afterAll(() => redisApp?.stop());

  it('repairs a gap on the live path from the outbox', async () => {
    const section = await createSection(app, user);
    const sectionId = localIdOf(section.id);
    const { client } = wsClient(redisApp, user.token);
    const ready = listening(redisApp, `post:created:${sectionId}`);
    const sub = subscribeWs(client, POSTS, { id: section.id });
    await ready;
    // Two events recorded; the broker carries only the second (the first's publish was lost).
    const post = (content: string) => ({ id: crypto.randomUUID(), sectionId, authorId: localIdOf(user.id), content, createdAt: new Date().toISOString() });
    const db = redisApp.runtime.database.db;
    await redisApp.runtime.relay.stop();
    const lost = post('lost on the way');
    const arrived = post('arrived');
    await db.execute(sql`insert into events (topic, key, payload)
      values ('post:created', ${sectionId}, ${JSON.stringify(lost)}::jsonb), ('post:created', ${sectionId}, ${JSON.stringify(arrived)}::jsonb)`);
    const numbered = await db.execute<{ seq: string }>(sql`select seq from plaza_number_events('post:created', ${sectionId}, false)`);
    const seq = Number(numbered.rows[1]!.seq);
    await redisApp.runtime.broker.publish('post:created', sectionId, { seq, payload: arrived });
    const results = await sub.waitFor(2);
    expect(results.map((r) => r.postCreated.content)).toEqual(['lost on the way', 'arrived']);
    sub.dispose();
    await client.dispose();
  });
});

describe('cursors that cannot resume', () => {
  let other: TestUser;
  beforeAll(async () => {
    other = await signUp(app);
  });

  it('answers CURSOR_EXPIRED for a cursor older than the events kept, and BAD_USER_INPUT for nonsense', async () => {
    const section = await createSection(app, user);
    const listener = await subscribe(POSTS, { id: section.id }, `post:created:${localIdOf(section.id)}`);
    await createPost(app, user, section.id, 'soon pruned');
    const [event] = await listener.sub.waitFor(1);
    await listener.close();
    await createPost(app, user, section.id, 'also pruned');
    expect(await app.runtime.outbox.prune(0)).toBeGreaterThan(0);

    const { client } = wsClient(app, user.token);
    for (const [after, code] of [
      [event.postCreated.cursor, 'CURSOR_EXPIRED'],
      ['not-a-cursor', 'BAD_USER_INPUT'],
      [Buffer.from('c1\npost:created\nsomewhere-else\n1').toString('base64url'), 'BAD_USER_INPUT'],
      [Buffer.from(`c1\npost:created\n${localIdOf(section.id)}\n999`).toString('base64url'), 'BAD_USER_INPUT'],
    ]) {
      const sub = subscribeWs(client, POSTS, { id: section.id, after });
      expect(JSON.stringify(await sub.waitForError())).toContain(code);
    }
    await client.dispose();
  });

  it("replays nothing of another user's story activity: their cursor is refused", async () => {
    const story = (await ok(app, 'mutation { createStory(input: { mediaUrl: "https://cdn.example/s.jpg" }) { id } }', {}, other.token)).createStory;
    const theirs = await subscribe(ACTIVITY, {}, `story:activity:${localIdOf(other.id)}`, other.token);
    await ok(app, 'mutation($s: ID!) { viewStory(storyId: $s) { id } }', { s: story.id }, user.token);
    const [event] = await theirs.sub.waitFor(1);
    await theirs.close();

    const { client } = wsClient(app, user.token);
    const sub = subscribeWs(client, ACTIVITY, { after: event.storyActivity.cursor });
    expect(JSON.stringify(await sub.waitForError())).toContain('BAD_USER_INPUT');
    expect(sub.results).toEqual([]);
    await client.dispose();
  });

  it('productHighlighted replays versions after a cursor, and starts from a snapshot when the cursor expired', async () => {
    const channel = (await ok(app, 'mutation { createChannel(input: { name: "Live" }) { id } }', {}, user.token)).createChannel.id;
    const products: string[] = [];
    for (const name of ['A', 'B']) {
      const input = { channelId: channel, name, priceCents: 100, currency: 'EUR' };
      products.push((await ok(app, 'mutation($i: AddProductInput!) { addProduct(input: $i) { id } }', { i: input }, user.token)).addProduct.id);
    }
    const highlight = (i: number) =>
      ok(app, 'mutation($i: HighlightProductInput!) { highlightProduct(input: $i) { version cursor } }', { i: { channelId: channel, productId: products[i % 2] } }, user.token);
    const first = (await highlight(0)).highlightProduct;
    for (let i = 1; i < 4; i++) await highlight(i);
    const key = `channel:highlight:${localIdOf(channel)}`;
    const replay = await subscribe(HIGHLIGHTS, { id: channel, after: first.cursor }, key);
    const replayed = await replay.sub.waitFor(3);
    expect(replayed.map((r) => [r.productHighlighted.version, r.productHighlighted.isSnapshot])).toEqual([
      [2, false],
      [3, false],
      [4, false],
    ]);
    await replay.close();

    await app.runtime.outbox.prune(0);
    const jumped = await subscribe(HIGHLIGHTS, { id: channel, after: first.cursor }, key);
    const [snapshot] = await jumped.sub.waitFor(1);
    expect(snapshot.productHighlighted).toMatchObject({ version: 4, isSnapshot: true, product: { name: 'B' } });
    await highlight(4);
    expect((await jumped.sub.waitFor(2))[1].productHighlighted).toMatchObject({ version: 5, isSnapshot: false });
    await jumped.close();
  });
});
