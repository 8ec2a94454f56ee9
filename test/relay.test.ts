import { sql } from 'drizzle-orm';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../src/app.ts';
import { redisAvailable, startTestApp } from './helpers/app.ts';
import { createTestDatabase } from './helpers/db.ts';
import { createPost, createSection, localIdOf, signUp, type TestUser } from './helpers/http.ts';
import { listening, subscribeWs, wsClient } from './helpers/subscriptions.ts';

const POSTS = 'subscription($id: ID!) { postCreated(sectionId: $id) { content } }';

/** The highest sequence number of a stream the relay's position has gone past. */
async function relayedThrough(app: App, topic: string, key: string): Promise<number> {
  const { rows } = await app.runtime.database.db.execute<{ seq: string | null }>(sql`
    select max(e.seq) as seq from events e, event_relay_position p
     where e.topic = ${topic} and e.key = ${key} and (e.numbered_xid, e.topic, e.key, e.seq) <= (p.numbered_xid, p.topic, p.key, p.seq)`);
  return Number(rows[0]?.seq ?? 0);
}

/** Counts what Redis carries on one channel, whoever published it. */
async function countOnChannel(url: string, channel: string) {
  const redis = new Redis(url);
  const messages: string[] = [];
  redis.on('message', (_channel: string, message: string) => messages.push(message));
  await redis.subscribe(channel);
  return { messages, close: () => redis.quit() };
}

describe.skipIf(!redisAvailable())('the relay walks events in numbering order', () => {
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let app: App;
  let user: TestUser;
  beforeAll(async () => {
    database = await createTestDatabase();
    app = await startTestApp({ redis: true, env: { DATABASE_URL: database.url } });
    user = await signUp(app);
  });
  afterAll(async () => {
    await app?.stop();
    await database?.drop();
  });

  it('leads (its own database: one leader per database)', async () => {
    await expect.poll(() => app.runtime.relay.watching(), { timeout: 10_000 }).toBe(true);
  });

  it('publishes events numbered but never published (a writer killed in between), in order, once', async () => {
    const section = await createSection(app, user);
    const key = localIdOf(section.id);
    const carried = await countOnChannel(app.runtime.config.redisUrl!, `post:created:${key}`);
    const { client } = wsClient(app, user.token);
    const ready = listening(app, `post:created:${key}`);
    const sub = subscribeWs(client, POSTS, { id: section.id });
    await ready;
    // Recorded and numbered as a writer does, but nobody publishes: the process "died" after numbering.
    const rows = ['a', 'b', 'c'].map((content) =>
      JSON.stringify({ id: crypto.randomUUID(), sectionId: key, authorId: crypto.randomUUID(), content, createdAt: new Date().toISOString() }),
    );
    await app.runtime.database.db.execute(sql`
      insert into events (topic, key, payload, created_at)
      select 'post:created', ${key}, payload::jsonb, now() - interval '1 second'
      from unnest(${sql.param(rows)}::text[]) with ordinality as r(payload, n) order by n`);
    await app.runtime.database.db.execute(sql`select seq from plaza_number_events('post:created', ${key}, false)`);

    const results = await sub.waitFor(3, 10_000);
    expect(results.map((r) => r.postCreated.content)).toEqual(['a', 'b', 'c']);
    await expect.poll(() => relayedThrough(app, 'post:created', key), { timeout: 10_000 }).toBe(3);
    expect(carried.messages.map((m) => JSON.parse(m).seq)).toEqual([1, 2, 3]);
    sub.dispose();
    await client.dispose();
    await carried.close();
  });

  it('passes over what writers were seen publishing: nothing is published twice', async () => {
    const section = await createSection(app, user);
    const key = localIdOf(section.id);
    const carried = await countOnChannel(app.runtime.config.redisUrl!, `post:created:${key}`);
    for (let i = 0; i < 20; i++) await createPost(app, user, section.id, `p${i}`);
    // Past the grace period the relay's position goes past all 20 without sending any again.
    await expect.poll(() => relayedThrough(app, 'post:created', key), { timeout: 10_000 }).toBe(20);
    const after = await createPost(app, user, section.id, 'last');
    await expect.poll(() => carried.messages.length, { timeout: 5_000 }).toBe(21);
    expect(after.content).toBe('last');
    expect(carried.messages.map((m) => JSON.parse(m).seq)).toEqual(Array.from({ length: 21 }, (_, i) => i + 1));
    await carried.close();
  });

});
