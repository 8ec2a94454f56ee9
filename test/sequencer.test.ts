import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../src/app.ts';
import { decodeCursor } from '../src/realtime/stream-cursor.ts';
import { redisAvailable, startTestApp } from './helpers/app.ts';
import { createTestDatabase } from './helpers/db.ts';
import { createSection, localIdOf, ok, signUp, type TestUser } from './helpers/http.ts';
import { listening, subscribeWs, wsClient } from './helpers/subscriptions.ts';

const POSTS = 'subscription($id: ID!) { postCreated(sectionId: $id) { content cursor } }';

/** An event as a writer killed between its COMMIT and the numbering leaves it: committed, without a number. */
async function recordUnnumbered(app: App, sectionId: string, contents: string[], ageSeconds = 1) {
  const rows = contents.map((content) =>
    JSON.stringify({ id: crypto.randomUUID(), sectionId, authorId: crypto.randomUUID(), content, createdAt: new Date().toISOString() }),
  );
  await app.runtime.database.db.execute(sql`
    insert into events (topic, key, payload, created_at)
    select 'post:created', ${sectionId}, payload::jsonb, now() - make_interval(secs => ${ageSeconds})
    from unnest(${sql.param(rows)}::text[]) with ordinality as r(payload, n) order by n`);
}

describe.each([
  ['without Redis (NOTIFY)', false],
  ['with Redis', true],
] as const)('events whose writer died before numbering them, %s', (_label, redis) => {
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let app: App;
  let user: TestUser;
  beforeAll(async () => {
    if (redis && !redisAvailable()) return;
    database = await createTestDatabase();
    app = await startTestApp({ redis, env: { DATABASE_URL: database.url } });
    user = await signUp(app);
  });
  afterAll(async () => {
    await app?.stop();
    await database?.drop();
  });

  it.skipIf(redis && !redisAvailable())('are numbered by the relay and reach subscribers, in the order they were recorded', async () => {
    const section = await createSection(app, user);
    const sectionId = localIdOf(section.id);
    const { client } = wsClient(app, user.token);
    const ready = listening(app, `post:created:${sectionId}`);
    const sub = subscribeWs(client, POSTS, { id: section.id });
    await ready;

    await recordUnnumbered(app, sectionId, ['a', 'b', 'c']);
    const results = await sub.waitFor(3, 10_000);
    expect(results.map((r) => r.postCreated.content)).toEqual(['a', 'b', 'c']);
    expect(results.map((r) => decodeCursor(r.postCreated.cursor)!.seq)).toEqual([1, 2, 3]);
    sub.dispose();
    await client.dispose();
  });

  it.skipIf(redis && !redisAvailable())('number a backlog larger than one call takes, gap-free and in order', async () => {
    const section = await createSection(app, user);
    const sectionId = localIdOf(section.id);
    const contents = Array.from({ length: 2_500 }, (_, i) => `e${i}`);
    await recordUnnumbered(app, sectionId, contents);
    await app.runtime.relay.flush();
    const { rows } = await app.runtime.database.db.execute<{ seq: string; content: string }>(sql`
      select seq, payload->>'content' as content from events where topic = 'post:created' and key = ${sectionId} order by id`);
    expect(rows.map((r) => r.content)).toEqual(contents);
    expect(rows.map((r) => Number(r.seq))).toEqual(contents.map((_, i) => i + 1));
  });

  it.skipIf(redis && !redisAvailable())('a writer behind a backlog larger than one call numbers through it, its own event included', async () => {
    const section = await createSection(app, user);
    // Young: the relay leaves them to their (pretended) writers for half a second; this writer meets them all.
    await recordUnnumbered(app, localIdOf(section.id), Array.from({ length: 1_500 }, (_, i) => `old ${i}`), 0);
    const { createPost } = await ok<any>(
      app,
      'mutation($input: CreatePostInput!) { createPost(input: $input) { cursor } }',
      { input: { sectionId: section.id, content: 'behind the backlog' } },
      user.token,
    );
    expect(decodeCursor(createPost.cursor)!.seq).toBe(1_501);
  });
});
