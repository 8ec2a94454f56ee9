import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../src/app.ts';
import { startTestApp } from './helpers/app.ts';
import {
  CREATE_POST,
  codeOf,
  createPost,
  createSection,
  gql,
  localIdOf,
  ok,
  signUp,
  type TestUser,
} from './helpers/http.ts';

let app: App;
let alice: TestUser;
let section: { id: string; slug: string };

beforeAll(async () => {
  app = await startTestApp();
  alice = await signUp(app, 'alice');
  section = await createSection(app, alice);
});
afterAll(() => app?.stop());

const count = async (table: string) =>
  (await app.runtime.database.pool.query(`select count(*)::int as n from ${table}`)).rows[0].n as number;

describe('sections', () => {
  it('lists and fetches sections, and node(id) resolves every id the API returns', async () => {
    const data = await ok(
      app,
      'query($id: ID!) { sections { id slug } section(id: $id) { id name } node(id: $id) { id ... on Section { slug } } }',
      { id: section.id },
      alice.token,
    );
    expect(data.sections.map((s: { id: string }) => s.id)).toContain(section.id);
    expect(data.section.id).toBe(section.id);
    expect(data.node).toEqual({ id: section.id, slug: section.slug });
  });

  it('refuses a duplicate slug and a malformed one, creating nothing', async () => {
    const before = await count('sections');
    for (const slug of [section.slug, 'Not A Slug', 'x', '-dash-']) {
      const res = await gql(
        app,
        'mutation($i: CreateSectionInput!) { createSection(input: $i) { id } }',
        { i: { name: 'n', slug } },
        alice.token,
      );
      expect(codeOf(res), slug).toBe('BAD_USER_INPUT');
    }
    expect(await count('sections')).toBe(before);
  });

  it('answers NOT_FOUND for unknown and malformed ids', async () => {
    const post = await createPost(app, alice, section.id);
    // A real id of the wrong type, a well-formed unknown one and garbage.
    const unknownSection = Buffer.from('Section:00000000-0000-4000-8000-000000000000').toString('base64');
    for (const id of [post.id, unknownSection, 'garbage', '']) {
      const res = await gql(
        app,
        'mutation($i: CreatePostInput!) { createPost(input: $i) { id } }',
        { i: { sectionId: id, content: 'x' } },
        alice.token,
      );
      expect(codeOf(res), id).toBe('NOT_FOUND');
    }
    const q = await ok(app, 'query($id: ID!) { section(id: $id) { id } }', { id: unknownSection }, alice.token);
    expect(q.section).toBeNull();
    const n = await gql(app, '{ node(id: "garbage") { id } }', {}, alice.token);
    expect(codeOf(n)).toBe('NOT_FOUND');
  });
});

describe('createPost', () => {
  it('stores the post and its links PENDING, in order, without duplicates', async () => {
    const links = ['https://example.com/a', 'http://example.org/b?x=1', 'https://example.com/a'];
    const post = await createPost(app, alice, section.id, '  Hello, world  ', links);
    expect(post.content).toBe('Hello, world');
    expect(post.links.map((l) => [l.url, l.status])).toEqual([
      ['https://example.com/a', 'PENDING'],
      ['http://example.org/b?x=1', 'PENDING'],
    ]);
    const { rows } = await app.runtime.database.pool.query('select status from links where post_id = $1', [
      localIdOf(post.id),
    ]);
    expect(rows).toHaveLength(2);
  });

  const badInputs: Array<[string, Record<string, unknown>]> = [
    ['empty content', { content: '   ' }],
    ['over-long content', { content: 'x'.repeat(10_001) }],
    ['more than 10 links', { links: Array.from({ length: 11 }, (_, i) => `https://example.com/${i}`) }],
    ['a relative link', { links: ['/just/a/path'] }],
    ['a non-http link', { links: ['javascript:alert(1)'] }],
    ['an ftp link', { links: ['ftp://example.com/file'] }],
    ['a link with credentials', { links: ['https://user:pass@example.com/'] }],
    ['an over-long link', { links: [`https://example.com/${'a'.repeat(2_040)}`] }],
  ];
  it.each(badInputs)('refuses %s with BAD_USER_INPUT and stores nothing', async (_label, override) => {
    const [posts, links] = [await count('posts'), await count('links')];
    const res = await gql(
      app,
      CREATE_POST,
      { input: { sectionId: section.id, content: 'ok', ...override } },
      alice.token,
    );
    expect(codeOf(res)).toBe('BAD_USER_INPUT');
    expect([await count('posts'), await count('links')]).toEqual([posts, links]);
  });

  it('accepts exactly 10,000 characters and 10 links of 2,048 characters', async () => {
    const long = `https://example.com/${'a'.repeat(2_048 - 20)}`;
    expect(long).toHaveLength(2_048);
    const links = Array.from({ length: 10 }, (_, i) => `${long.slice(0, -1)}${i}`);
    const post = await createPost(app, alice, section.id, 'y'.repeat(10_000), links);
    expect(post.links).toHaveLength(10);
  });

  it('needs a signed-in user', async () => {
    const before = await count('posts');
    const res = await gql(app, CREATE_POST, { input: { sectionId: section.id, content: 'anon' } });
    expect(codeOf(res)).toBe('UNAUTHENTICATED');
    expect(await count('posts')).toBe(before);
  });
});

const FEED = /* GraphQL */ `
  query($id: ID!, $first: Int, $after: String) {
    section(id: $id) {
      posts(first: $first, after: $after) {
        edges { cursor node { id content createdAt author { id username displayName } links { id url status metadata { title } }
          reactions { emoji count viewerHasReacted } section { id } } }
        pageInfo { hasNextPage endCursor }
      }
    }
  }
`;

describe('section feed', () => {
  let feedSection: { id: string };
  const ids: string[] = [];

  beforeAll(async () => {
    feedSection = await createSection(app, alice);
    const others = [alice, await signUp(app, 'bob'), await signUp(app, 'carol')];
    for (let i = 0; i < 25; i++) {
      const author = others[i % others.length]!;
      const post = await createPost(app, author, feedSection.id, `post ${i}`, [
        `https://example.com/${i}`,
        `https://example.org/${i}`,
      ]);
      ids.push(post.id);
      await ok(
        app,
        'mutation($i: ReactionInput!) { addReaction(input: $i) { id } }',
        { i: { postId: post.id, emoji: '👍' } },
        others[(i + 1) % 3]!.token,
      );
    }
  });

  it('pages newest first with opaque cursors and no gaps', async () => {
    const seen: string[] = [];
    let after: string | null = null;
    for (;;) {
      const data: Record<string, any> = await ok(app, FEED, { id: feedSection.id, first: 10, after }, alice.token);
      const { edges, pageInfo } = data.section.posts;
      seen.push(...edges.map((e: { node: { id: string } }) => e.node.id));
      if (!pageInfo.hasNextPage) break;
      after = pageInfo.endCursor;
    }
    expect(seen).toEqual([...ids].reverse());
  });

  it('refuses a bad cursor, a negative or too large page and backward paging', async () => {
    for (const vars of [{ after: 'nonsense' }, { first: -1 }, { first: 51 }]) {
      expect(codeOf(await gql(app, FEED, { id: feedSection.id, ...vars }, alice.token))).toBe('BAD_USER_INPUT');
    }
    const back = await gql(
      app,
      'query($id: ID!) { section(id: $id) { posts(last: 2) { edges { cursor } } } }',
      { id: feedSection.id },
      alice.token,
    );
    expect(codeOf(back)).toBe('BAD_USER_INPUT');
  });

  it('reads a page with authors, links and reactions in a fixed number of statements', async () => {
    const statementsFor = async (first: number) => {
      const before = app.runtime.database.statementCount();
      const data = await ok(app, FEED, { id: feedSection.id, first }, alice.token);
      expect(data.section.posts.edges).toHaveLength(first);
      for (const edge of data.section.posts.edges) {
        expect(edge.node.links).toHaveLength(2);
        expect(edge.node.reactions[0].count).toBe(1);
      }
      return app.runtime.database.statementCount() - before;
    };
    const small = await statementsFor(2);
    const page = await statementsFor(20);
    expect(page).toBe(small);
    // section, posts, users, links, reactions (and the section again for Post.section, from cache).
    expect(page).toBeLessThanOrEqual(5);
  });
});
