import { randomUUID } from 'node:crypto';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { App } from '../src/app.ts';
import { redisAvailable } from './helpers/app.ts';
import { startBystander, startProductionApp } from './helpers/attack.ts';
import { encodeCursor } from '../src/realtime/stream-cursor.ts';
import { createSection, localIdOf, ok, signUp, type TestUser } from './helpers/http.ts';
import { subscribeWs, wsClient } from './helpers/subscriptions.ts';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const heapAfterGc = () => {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
};

const POST = 'mutation($input: CreatePostInput!) { createPost(input: $input) { id cursor } }';
const RESUME = 'subscription($s: ID!, $after: String) { postCreated(sectionId: $s, after: $after) { id content } }';
const TEN_KB = 'r'.repeat(9_990);

describe.skipIf(!redisAvailable())('replays cannot pin memory (production mode)', () => {
  let app: App;
  let bystander: Awaited<ReturnType<typeof startBystander>>;
  const writers: Array<{ user: TestUser; sectionId: string; cursors: string[] }> = [];

  beforeAll(async () => {
    app = await startProductionApp({ LOG_LEVEL: 'silent' });
    for (let u = 0; u < 8; u++) {
      const user = await signUp(app, 'writer');
      const sectionId = (await createSection(app, user)).id;
      const cursors: string[] = [];
      // 31 posts: each of the first 30 cursors has something after it.
      for (let i = 0; i < 31; i++) {
        const data = await ok(app, POST, { input: { sectionId, content: `${i} ${TEN_KB}` } }, user.token);
        if (i < 30) cursors.push(data.createPost.cursor);
      }
      writers.push({ user, sectionId, cursors });
    }
    bystander = await startBystander(app);
  }, 120_000);
  afterAll(async () => {
    await bystander?.stop();
    await app?.stop();
  });

  it('240 resumes from 240 cursors, each completed on its first event, leave the heap near where it was', async () => {
    // Once, to have every code path compiled and every pool warm before the baseline is read.
    await resumeAll(writers.slice(0, 1).map((w) => ({ ...w, cursors: w.cursors.slice(0, 2) })));
    const baseline = heapAfterGc();
    const delivered = await resumeAll(writers);
    expect(delivered).toBe(240);
    const grown = heapAfterGc() - baseline;
    // 8 streams of 30 events of 10 kB: 2.4 MB of events in all (~6 MB measured). Pages cached per exact cursor, each
    // subscriber's results executed apart and kept with them, held 80 MB here.
    expect(grown).toBeLessThan(16 * 1_048_576);
    await bystander.check();
  }, 60_000);

  it('a replay its client ends while a page is being read reads no further page (1 of 5)', async () => {
    const { user, sectionId } = writers[0]!;
    const key = localIdOf(sectionId);
    const stream = (await app.runtime.outbox.head('post:created', key)).lastSeq;
    // Five pages of events after the cursor.
    await app.runtime.outbox.transaction(async (tx) => {
      for (let i = 0; i < 2_400; i++) {
        const event = { id: randomUUID(), sectionId: key, authorId: localIdOf(user.id), content: `bulk ${i}`, createdAt: new Date().toISOString() };
        await app.runtime.outbox.record(tx, 'post:created', key, event);
      }
    });
    // The first page's read is held until the client has ended the subscription, as one ending mid-replay.
    const outbox = app.runtime.outbox as { readSized: (...args: never[]) => Promise<unknown> };
    const original = outbox.readSized;
    let pagesRead = 0;
    let release: () => void = () => {};
    const held = new Promise<void>((resolve) => (release = resolve));
    let firstRead: Promise<unknown> = Promise.resolve();
    outbox.readSized = (...args) => {
      pagesRead += 1;
      if (pagesRead > 1) return original(...args);
      firstRead = held.then(() => original(...args));
      return firstRead;
    };
    try {
      const watching = () => app.runtime.streams.subscriberCounts().get('post:created') ?? 0;
      const before = watching();
      const { client } = wsClient(app, user.token);
      const sub = subscribeWs(client, RESUME, { s: sectionId, after: encodeCursor({ topic: 'post:created', key, seq: stream }) });
      await vi.waitFor(() => expect(pagesRead).toBe(1), { timeout: 5_000 });
      sub.dispose();
      await vi.waitFor(() => expect(watching()).toBe(before), { timeout: 5_000 });
      release();
      await firstRead;
      // Whatever the replay would do next starts within a few turns of the event loop once its page is in.
      for (let i = 0; i < 50; i++) await new Promise((resolve) => setImmediate(resolve));
      expect(pagesRead).toBe(1);
      await client.dispose();
    } finally {
      outbox.readSized = original;
    }
    await bystander.check();
  });

  async function resumeAll(list: typeof writers): Promise<number> {
    let delivered = 0;
    await Promise.all(
      // Ten at a time on a socket: the most distinct subscriptions of one viewer a socket may hold.
      list.flatMap(({ user, sectionId, cursors }) =>
        Array.from({ length: Math.ceil(cursors.length / 10) }, async (_, group) => {
          const { client } = wsClient(app, user.token);
          await Promise.all(
            cursors.slice(group * 10, group * 10 + 10).map(async (after) => {
              const sub = subscribeWs(client, RESUME, { s: sectionId, after });
              await sub.waitFor(1, 20_000);
              sub.dispose();
              delivered += 1;
            }),
          );
          await client.dispose();
        }),
      ),
    );
    return delivered;
  }
});
