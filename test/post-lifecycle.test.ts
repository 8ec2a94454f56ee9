import { describe, expect, it } from 'vitest';
import type { App } from '../src/app.ts';
import { redisAvailable, twoInstances } from './helpers/app.ts';
import { createPost, createSection, localIdOf, ok, signUp, type TestUser } from './helpers/http.ts';
import { listening, type Subscription, subscribeSse, subscribeWs, wsClient } from './helpers/subscriptions.ts';

// Edits, deletions and loss of access carried by the section's one ordered stream, across two instances
// sharing PostgreSQL and Redis, to graphql-ws and SSE clients.
const CREATED = 'subscription($id: ID!, $after: String) { postCreated(sectionId: $id, after: $after) { id content cursor } }';
const UPDATED = 'subscription($id: ID!, $after: String) { postUpdated(sectionId: $id, after: $after) { id content editedAt cursor } }';
const DELETED = 'subscription($id: ID!, $after: String) { postDeleted(sectionId: $id, after: $after) { id sectionId cursor } }';
const UPDATE = 'mutation($i: UpdatePostInput!) { updatePost(input: $i) { id } }';
const DELETE = 'mutation($id: ID!) { deletePost(postId: $id) }';
const ROLE = (m: string) => `mutation($s: ID!, $u: ID!) { ${m}(sectionId: $s, userId: $u) { id } }`;

const seqOf = (cursor: string) => Number(Buffer.from(cursor, 'base64url').toString().split('\n')[3]);

/** What a client subscribed to all three sees, in the order it arrived, each as [kind, post id, cursor]. */
function allThree(app: App, token: string, transport: 'ws' | 'sse', sectionId: string, after?: string) {
  const seen: Array<[string, string, string, string?]> = [];
  const subs: Subscription[] = [];
  const { client } = wsClient(app, token);
  for (const [kind, query] of [
    ['created', CREATED],
    ['updated', UPDATED],
    ['deleted', DELETED],
  ] as const) {
    const vars = { id: sectionId, ...(after ? { after } : {}) };
    const sub = transport === 'ws' ? subscribeWs(client, query, vars) : subscribeSse(app, token, query, vars);
    const push = sub.push.bind(sub);
    sub.push = (value: any) => {
      const root = value.postCreated ?? value.postUpdated ?? value.postDeleted;
      seen.push([kind, root.id, root.cursor, root.content]);
      push(value);
    };
    subs.push(sub);
  }
  return {
    seen,
    subs,
    /** What arrived, in the stream's order (each subscription delivers in order; across them, the cursors tell it). */
    async until(count: number) {
      await expect.poll(() => seen.length, { timeout: 10_000 }).toBeGreaterThanOrEqual(count);
      return [...seen].sort((x, y) => seqOf(x[2]) - seqOf(y[2]));
    },
    async close() {
      for (const sub of subs) sub.dispose();
      await client.dispose();
    },
  };
}

describe.skipIf(!redisAvailable())('a post edited and deleted, on two instances', () => {
  const instances = twoInstances({ redis: true });

  for (const transport of ['ws', 'sse'] as const) {
    it(`reaches every subscriber in order over ${transport}, and a replay across the deletion never sends its content`, async () => {
      const { a, b } = instances;
      const author = await signUp(b, 'author');
      const reader = await signUp(a, 'reader');
      const section = await createSection(b, author);
      const key = `post:created:${localIdOf(section.id)}`;
      const ready = Promise.all([listening(a, key), listening(a, key), listening(a, key)]);
      const live = allThree(a, reader.token, transport, section.id);
      await ready;

      const first = await createPost(b, author, section.id, 'first words');
      const kept = await createPost(b, author, section.id, 'kept');
      await ok(b, UPDATE, { i: { postId: first.id, content: 'second thoughts' } }, author.token);
      await ok(b, DELETE, { id: first.id }, author.token);
      const seen = await live.until(4);
      expect(seen.map(([kind, id, , content]) => [kind, id, content])).toEqual([
        ['created', first.id, 'first words'],
        ['created', kept.id, 'kept'],
        ['updated', first.id, 'second thoughts'],
        ['deleted', first.id, undefined],
      ]);
      // One stream: four consecutive positions.
      expect(seen.map(([, , cursor]) => seqOf(cursor) - seqOf(seen[0]![2]))).toEqual([0, 1, 2, 3]);
      await live.close();

      // Resuming from before the post, on the other instance: its creation and edit are gone, the tombstone is there.
      const before = seen[0]![2];
      const beforeSeq = seqOf(before) - 1;
      const cursorBefore = Buffer.from(Buffer.from(before, 'base64url').toString().replace(/\n\d+$/, `\n${beforeSeq}`)).toString('base64url');
      const replay = allThree(b, reader.token, transport, section.id, cursorBefore);
      const replayed = await replay.until(2);
      expect(replayed.map(([kind, id]) => [kind, id])).toEqual([
        ['created', kept.id],
        ['deleted', first.id],
      ]);
      expect(JSON.stringify(replayed)).not.toContain('first words');
      expect(JSON.stringify(replayed)).not.toContain('second thoughts');
      await replay.close();
    });
  }

  it('drops replay pages an instance kept once a post in them is deleted on the other', async () => {
    const { a, b } = instances;
    const author = await signUp(a, 'author');
    const section = await createSection(a, author);
    const doomed = await createPost(a, author, section.id, 'doomed');
    const stays = await createPost(a, author, section.id, 'stays');
    const REACT = 'mutation($i: ReactionInput!) { addReaction(input: $i) { id } }';
    const CHANGED = 'subscription($id: ID!, $after: String) { postReactionsChanged(sectionId: $id, after: $after) { id } }';
    await ok(a, REACT, { i: { postId: doomed.id, emoji: '👍' } }, author.token);
    const start = Buffer.from(`c1\npost:reactionsChanged\n${localIdOf(section.id)}\n0`).toString('base64url');
    // Replays the section's reactions from the start on B (which keeps the page read), then sees one live change.
    const replayThenLive = async (live: () => Promise<unknown>) => {
      const { client } = wsClient(b, author.token);
      const ready = listening(b, `post:reactionsChanged:${localIdOf(section.id)}`);
      const sub = subscribeWs(client, CHANGED, { id: section.id, after: start });
      await ready;
      await live();
      await expect.poll(() => sub.results.length + sub.errors.length).toBeGreaterThan(0);
      const first = sub.errors.length > 0 ? sub.errors : sub.results[0].postReactionsChanged.id;
      sub.dispose();
      await client.dispose();
      return first;
    };
    expect(await replayThenLive(async () => {})).toBe(doomed.id);
    const erasures = async () =>
      (await b.runtime.metrics.eventsDelivered.get()).values.find((v) => v.labels.topic === 'stream:erased')?.value ?? 0;
    const before = await erasures();
    await ok(a, DELETE, { id: doomed.id }, author.token);
    await expect.poll(erasures).toBeGreaterThan(before);
    // The page B kept held the reaction to the deleted post: the replay must not send it (nor fail on it).
    expect(await replayThenLive(() => ok(a, REACT, { i: { postId: stays.id, emoji: '🎉' } }, author.token))).toBe(stays.id);
  });
});

describe.skipIf(!redisAvailable())('losing access to a members-only section, on two instances', () => {
  const instances = twoInstances({ redis: true });

  async function membersSection(owner: TestUser, member: TestUser) {
    const section = await createSection(instances.a, owner, 'MEMBERS');
    await ok(instances.a, ROLE('addSectionMember'), { s: section.id, u: member.id }, owner.token);
    return section;
  }

  for (const [how, revoke] of [
    ['removed', (section: string, owner: TestUser, member: TestUser) => ok(instances.a, ROLE('removeSectionMember'), { s: section, u: member.id }, owner.token)],
    [
      'banned',
      (section: string, owner: TestUser, member: TestUser) =>
        ok(instances.a, 'mutation($i: BanInput!) { banFromSection(input: $i) { id } }', { i: { sectionId: section, userId: member.id } }, owner.token),
    ],
  ] as const) {
    it(`ends a ${how} member's subscriptions on the other instance with FORBIDDEN, then refuses their resume`, async () => {
      const { a, b } = instances;
      const owner = await signUp(a, 'owner');
      const member = await signUp(b, 'member');
      const other = await signUp(b, 'other');
      const section = await membersSection(owner, member);
      await ok(a, ROLE('addSectionMember'), { s: section.id, u: other.id }, owner.token);
      const key = localIdOf(section.id);
      const ready = Promise.all([listening(b, `post:created:${key}`), listening(b, `post:created:${key}`), listening(b, `link:updated:${key}`)]);
      const { client } = wsClient(b, member.token);
      const ws = subscribeWs(client, CREATED, { id: section.id });
      const sse = subscribeSse(b, member.token, CREATED, { id: section.id });
      const links = subscribeWs(client, 'subscription($id: ID!) { linkMetadataUpdated(sectionId: $id) { link { id } } }', { id: section.id });
      await ready;
      const { client: otherClient } = wsClient(b, other.token);
      const bystander = subscribeWs(otherClient, CREATED, { id: section.id });
      await listening(b, `post:created:${key}`);
      const post = await createPost(a, owner, section.id, 'while a member');
      expect((await ws.waitFor(1))[0].postCreated.id).toBe(post.id);
      const cursor = (await sse.waitFor(1))[0].postCreated.cursor;

      const started = Date.now();
      await revoke(section.id, owner, member);
      for (const sub of [ws, sse, links]) {
        const error = (await sub.waitForError(2_000)) as Array<{ extensions: { code: string } }>;
        expect(error[0]!.extensions.code).toBe('FORBIDDEN');
        await expect.poll(() => sub.completed, { timeout: 2_000 }).toBe(true);
      }
      expect(Date.now() - started).toBeLessThan(1_500);

      // The other member is served on.
      const after = await createPost(a, owner, section.id, 'after');
      expect((await bystander.waitFor(2)).map((r) => r.postCreated.id)).toEqual([post.id, after.id]);
      // Their resume is refused.
      const resume = subscribeSse(b, member.token, CREATED, { id: section.id, after: cursor });
      expect(((await resume.waitForError()) as Array<{ extensions: { code: string } }>)[0]!.extensions.code).toBe('FORBIDDEN');
      expect(resume.results).toEqual([]);
      for (const sub of [ws, sse, links, bystander, resume]) sub.dispose();
      await client.dispose();
      await otherClient.dispose();
    });
  }
});
