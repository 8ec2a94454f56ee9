import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../src/app.ts';
import { startTestApp } from './helpers/app.ts';
import { codeOf, createPost, createSection, gql, ok, signUp, type TestUser } from './helpers/http.ts';

const ADD = 'mutation($i: ReactionInput!) { addReaction(input: $i) { id reactions { emoji count viewerHasReacted } } }';
const REMOVE =
  'mutation($i: ReactionInput!) { removeReaction(input: $i) { id reactions { emoji count viewerHasReacted } } }';

let app: App;
let alice: TestUser;
let bob: TestUser;
let postId: string;

beforeAll(async () => {
  app = await startTestApp();
  alice = await signUp(app, 'alice');
  bob = await signUp(app, 'bob');
  const section = await createSection(app, alice);
  postId = (await createPost(app, alice, section.id)).id;
});
afterAll(() => app?.stop());

const reactionRows = async () =>
  (await app.runtime.database.pool.query('select count(*)::int as n from post_reactions')).rows[0].n as number;

describe('reactions', () => {
  it('counts per emoji with the viewer’s own flag, and adding twice changes nothing', async () => {
    await ok(app, ADD, { i: { postId, emoji: '👍' } }, alice.token);
    await ok(app, ADD, { i: { postId, emoji: '👍' } }, bob.token);
    const again = await ok(app, ADD, { i: { postId, emoji: '👍' } }, bob.token);
    expect(again.addReaction.reactions).toEqual([{ emoji: '👍', count: 2, viewerHasReacted: true }]);
    const withHeart = await ok(app, ADD, { i: { postId, emoji: '❤️' } }, bob.token);
    expect(withHeart.addReaction.reactions).toEqual([
      { emoji: '👍', count: 2, viewerHasReacted: true },
      { emoji: '❤️', count: 1, viewerHasReacted: true },
    ]);
    const asAlice = await ok(
      app,
      'query($id: ID!) { post(id: $id) { reactions { emoji count viewerHasReacted } } }',
      { id: postId },
      alice.token,
    );
    expect(asAlice.post.reactions).toEqual([
      { emoji: '👍', count: 2, viewerHasReacted: true },
      { emoji: '❤️', count: 1, viewerHasReacted: false },
    ]);
  });

  it('removes idempotently', async () => {
    await ok(app, REMOVE, { i: { postId, emoji: '❤️' } }, bob.token);
    const twice = await ok(app, REMOVE, { i: { postId, emoji: '❤️' } }, bob.token);
    expect(twice.removeReaction.reactions.map((r: { emoji: string }) => r.emoji)).toEqual(['👍']);
  });

  it.each(['', 'a', '👍👍', ':+1:', 'x👍', '<script>'])('refuses %j as an emoji and stores nothing', async (emoji) => {
    const before = await reactionRows();
    expect(codeOf(await gql(app, ADD, { i: { postId, emoji } }, bob.token))).toBe('BAD_USER_INPUT');
    expect(await reactionRows()).toBe(before);
  });

  it('accepts flags, keycaps, skin tones and ZWJ sequences as single emoji', async () => {
    for (const emoji of ['🇫🇷', '1️⃣', '👍🏽', '👩‍💻']) await ok(app, ADD, { i: { postId, emoji } }, bob.token);
  });

  it('answers NOT_FOUND for an unknown post and UNAUTHENTICATED without a token', async () => {
    const unknown = Buffer.from('Post:00000000-0000-4000-8000-000000000000').toString('base64');
    expect(codeOf(await gql(app, ADD, { i: { postId: unknown, emoji: '👍' } }, bob.token))).toBe('NOT_FOUND');
    expect(codeOf(await gql(app, ADD, { i: { postId, emoji: '👍' } }))).toBe('UNAUTHENTICATED');
  });
});
