import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../src/app.ts';
import { decodeCursor } from '../src/realtime/stream-cursor.ts';
import { redisAvailable, startTestApp } from './helpers/app.ts';
import { createTestDatabase } from './helpers/db.ts';
import { createPost, createSection, ok, signUp } from './helpers/http.ts';
import { resumingSubscription } from './helpers/resuming-client.ts';

const POSTS = 'subscription($id: ID!, $after: String) { postCreated(sectionId: $id, after: $after) { content cursor } }';

describe.skipIf(!redisAvailable())('sequence numbers follow commit order, per key', () => {
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let a: App;
  let b: App;
  beforeAll(async () => {
    database = await createTestDatabase();
    const env = { DATABASE_URL: database.url };
    [a, b] = [await startTestApp({ redis: true, env }), await startTestApp({ redis: true, env })];
  });
  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    await database?.drop();
  });

  it('32 concurrent writers on two instances into one section: every reader sees a gap-free prefix, every subscriber all of it in order', async () => {
    const user = await signUp(a);
    const section = await createSection(a, user);
    await createPost(a, user, section.id, 'start');
    const feed = await ok(a, 'query($id: ID!) { section(id: $id) { posts(first: 1) { edges { node { cursor } } } } }', { id: section.id }, user.token);
    const start = feed.section.posts.edges[0].node.cursor as string;
    const key = decodeCursor(start)!.key;
    const subscribers = [a, b].map((app) =>
      resumingSubscription<{ postCreated: { content: string; cursor: string } }>({
        urls: [app.url],
        token: user.token,
        query: POSTS,
        variables: { id: section.id },
        after: start,
        cursorOf: (data) => data.postCreated.cursor,
      }),
    );

    // With serial ids a reader could see 8 committed before 7; numbers given after commit never show a
    // hole: the numbered events a reader sees are always 1..max (unnumbered ones are nobody's yet).
    const reader = new pg.Client({ connectionString: database.url });
    await reader.connect();
    let writing = true;
    let looks = 0;
    const holes: string[] = [];
    const watching = (async () => {
      while (writing) {
        const { rows } = await reader.query(
          "select count(seq)::int as n, coalesce(max(seq), 0)::int as m from events where topic = 'post:created' and key = $1",
          [key],
        );
        if (rows[0].n !== rows[0].m) holes.push(`${rows[0].n} events up to ${rows[0].m}`);
        looks += 1;
      }
    })();

    const perWriter = 6;
    await Promise.all(
      Array.from({ length: 32 }, (_, w) =>
        (async () => {
          for (let i = 0; i < perWriter; i++) await createPost(w % 2 ? b : a, user, section.id, `w${w}-${i}`);
        })(),
      ),
    );
    writing = false;
    await watching;
    await reader.end();
    expect(holes).toEqual([]);
    expect(looks).toBeGreaterThan(10);

    const total = 32 * perWriter;
    for (const { sub, client } of subscribers) {
      await sub.waitFor(total, 20_000);
      const seqs = sub.results.map((r) => decodeCursor(r.postCreated.cursor)!.seq);
      expect(seqs).toEqual(Array.from({ length: total }, (_, i) => i + 2));
      // Each writer's posts arrive in the order it wrote them.
      for (let w = 0; w < 32; w++) {
        const mine = sub.results.map((r) => r.postCreated.content).filter((c) => c.startsWith(`w${w}-`));
        expect(mine).toEqual(Array.from({ length: perWriter }, (_, i) => `w${w}-${i}`));
      }
      sub.dispose();
      await client.dispose();
    }
  }, 60_000);
});
