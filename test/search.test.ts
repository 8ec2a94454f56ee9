import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../src/app.ts';
import { searchTerms } from '../src/modules/search/query.ts';
import { startTestApp } from './helpers/app.ts';
import { createTestDatabase } from './helpers/db.ts';
import { codeOf, createPost, createSection, gql, localIdOf, ok, signUp, type TestUser } from './helpers/http.ts';

const SEARCH = `query Search($q: String!, $first: Int, $after: String, $kinds: [SearchKind!]) {
  search(query: $q, first: $first, after: $after, kinds: $kinds) {
    edges { cursor highlight node { __typename ... on Post { id content } ... on User { id username } ... on Product { id name }
      ... on Section { id name } ... on Channel { id name } } }
    pageInfo { hasNextPage endCursor }
  }
}`;

type Edge = { cursor: string; highlight: string | null; node: { __typename: string; id: string; content?: string; username?: string; name?: string } };

/**
 * Search against real PostgreSQL: ranking, prefixes and typos, paging under
 * concurrent inserts, every permission rule, deletions, and the plans. A
 * database of its own: its word counts and plans are this file's alone.
 */
describe('search', () => {
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let app: App;
  let pool: pg.Pool;
  let me: TestUser;

  const search = async (user: TestUser, q: string, extra: { first?: number; after?: string; kinds?: string[] } = {}) =>
    (await ok<{ search: { edges: Edge[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } } }>(app, SEARCH, { q, ...extra }, user.token)).search;
  const postIds = async (user: TestUser, q: string) => (await search(user, q, { kinds: ['POST'] })).edges.map((e) => e.node.id);
  /** A link of the post given a finished preview, as the link job writes it (the pipeline is tested on its own). */
  const preview = (postId: string, metadata: Record<string, unknown>) =>
    pool.query(`update links set status = 'READY', metadata = $2::jsonb, fetched_at = now() where post_id = $1`, [localIdOf(postId), JSON.stringify(metadata)]);

  beforeAll(async () => {
    database = await createTestDatabase();
    app = await startTestApp({ env: { DATABASE_URL: database.url } });
    pool = new pg.Pool({ connectionString: database.url, max: 2 });
    me = await signUp(app, 'searcher');
  }, 60_000);

  afterAll(async () => {
    await pool?.end();
    await app?.stop();
    await database?.drop();
  });

  it('ranks a post whose link title has the word above one whose text has it, and finds a post by a word of its link title', async () => {
    const author = await signUp(app, 'author');
    const section = await createSection(app, author);
    const inText = await createPost(app, author, section.id, 'I saw an aurora from the ferry last night');
    const inTitle = await createPost(app, author, section.id, 'look at this', ['https://example.com/north']);
    await preview(inTitle.id, { title: 'Aurora over the fjord', description: 'Northern lights, photographed', lang: 'en' });
    expect(await postIds(me, 'aurora')).toEqual([inTitle.id, inText.id]);
    // Words of the title in the page's language: "photographs" and "photographed" share a stem in English.
    expect(await postIds(me, 'fjords')).toEqual([inTitle.id]);
    const [top] = (await search(me, 'aurora', { kinds: ['POST'] })).edges;
    expect(top!.highlight).toBe('<mark>Aurora</mark> over the fjord');
  });

  it('takes the last word typed as a prefix, and finds names with typos', async () => {
    const author = await signUp(app, 'prefix');
    const section = await createSection(app, author);
    const post = await createPost(app, author, section.id, 'Tomorrow: a livestream of the harvest festival');
    expect(await postIds(me, 'harvest fest')).toEqual([post.id]);
    expect(await postIds(me, 'harvest fest ')).toEqual([]);
    const margarita = await signUp(app, 'x', `margarita_${Date.now() % 100000}`);
    const byTypo = await search(me, 'margarta', { kinds: ['USER'] });
    expect(byTypo.edges.map((e) => e.node.id)).toContain(margarita.id);
    const byPrefix = await search(me, 'margar', { kinds: ['USER'] });
    expect(byPrefix.edges[0]!.node).toMatchObject({ __typename: 'User', id: margarita.id });
    const seller = await signUp(app, 'seller');
    const channel = (await ok<{ createChannel: { id: string } }>(app, 'mutation { createChannel(input: { name: "Ceramics live" }) { id } }', {}, seller.token)).createChannel.id;
    const vase = (await ok<{ addProduct: { id: string } }>(app, 'mutation($i: AddProductInput!) { addProduct(input: $i) { id } }', { i: { channelId: channel, name: 'Celadon vase', priceCents: 4500, currency: 'EUR' } }, seller.token)).addProduct.id;
    const found = await search(me, 'celadn vase');
    expect(found.edges.map((e) => [e.node.__typename, e.node.id])).toContainEqual(['Product', vase]);
    // A product the seller removed is found no more.
    await ok(app, 'mutation($p: ID!) { removeProduct(productId: $p) }', { p: vase }, seller.token);
    expect((await search(me, 'celadon', { kinds: ['PRODUCT'] })).edges.map((e) => e.node.id)).not.toContain(vase);
    expect((await search(me, 'ceramic', { kinds: ['CHANNEL'] })).edges.map((e) => e.node.id)).toEqual([channel]);
  });

  it('pages without duplicates or misses while posts matching the query keep coming', async () => {
    const author = await signUp(app, 'pager');
    const section = await createSection(app, author);
    const first = await Promise.all(Array.from({ length: 25 }, (_, i) => createPost(app, author, section.id, `zebra sighting number ${i}`)));
    const seen: string[] = [];
    let after: string | undefined;
    let inserting = 0;
    for (;;) {
      const page = await search(me, 'zebra', { first: 6, after, kinds: ['POST'] });
      seen.push(...page.edges.map((e) => e.node.id));
      // Between pages, more matching posts commit (with the same words, so the same score as the rest).
      await createPost(app, author, section.id, `zebra sighting late ${inserting++}`);
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor!;
    }
    expect(new Set(seen).size).toBe(seen.length);
    for (const post of first) expect(seen).toContain(post.id);
  });

  it('keeps members-only sections to their members, leaves out blocked and blocking users, and forgets deleted posts at once', async () => {
    const owner = await signUp(app, 'owner');
    const closed = await createSection(app, owner, 'MEMBERS');
    const secret = await createPost(app, owner, closed.id, 'quokka meeting notes');
    expect(await postIds(me, 'quokka')).toEqual([]);
    expect((await search(me, 'Section', { kinds: ['SECTION'] })).edges.map((e) => e.node.id)).not.toContain(closed.id);
    await ok(app, 'mutation($s: ID!, $u: ID!) { addSectionMember(sectionId: $s, userId: $u) { id } }', { s: closed.id, u: me.id }, owner.token);
    expect(await postIds(me, 'quokka')).toEqual([secret.id]);

    const open = await createSection(app, owner);
    const blocker = await signUp(app, 'blocker');
    const blocked = await signUp(app, 'blocked');
    const byBlocker = await createPost(app, blocker, open.id, 'wombat facts from the one who blocks');
    const byBlocked = await createPost(app, blocked, open.id, 'wombat facts from the one blocked');
    const byOther = await createPost(app, owner, open.id, 'wombat facts from someone else');
    await ok(app, 'mutation($u: ID!) { blockUser(userId: $u) { id } }', { u: me.id }, blocker.token);
    await ok(app, 'mutation($u: ID!) { blockUser(userId: $u) { id } }', { u: blocked.id }, me.token);
    expect(await postIds(me, 'wombat')).toEqual([byOther.id]);
    const people = (await search(me, 'block', { kinds: ['USER'] })).edges.map((e) => e.node.id);
    expect(people).not.toContain(blocker.id);
    expect(people).not.toContain(blocked.id);
    // The others still find all three.
    expect(new Set(await postIds(owner, 'wombat'))).toEqual(new Set([byBlocker.id, byBlocked.id, byOther.id]));

    await ok(app, 'mutation($p: ID!) { deletePost(postId: $p) }', { p: byOther.id }, owner.token);
    expect(await postIds(owner, 'wombat')).not.toContain(byOther.id);
  });

  it('marks matches in escaped text: a highlight is safe to show as HTML', async () => {
    const author = await signUp(app, 'marker');
    const section = await createSection(app, author);
    await createPost(app, author, section.id, 'the <script>alert(1)</script> kestrel & friends');
    const [edge] = (await search(me, 'kestrel', { kinds: ['POST'] })).edges;
    expect(edge!.highlight).toContain('<mark>kestrel</mark> &amp; friends');
    expect(edge!.highlight).toContain('&lt;/script&gt;');
    // No markup but the marks.
    expect(edge!.highlight!.replace(/<\/?mark>/g, '')).not.toMatch(/[<>]/);
  });

  it('answers bad input with BAD_USER_INPUT: an empty or overlong query, a foreign cursor, a page too large', async () => {
    const bad = async (variables: Record<string, unknown>) => codeOf(await gql(app, SEARCH, variables, me.token));
    expect(await bad({ q: '   ' })).toBe('BAD_USER_INPUT');
    expect(await bad({ q: 'x'.repeat(201) })).toBe('BAD_USER_INPUT');
    expect(await bad({ q: 'zebra', after: 'bm90IGEgY3Vyc29y' })).toBe('BAD_USER_INPUT');
    expect(await bad({ q: 'zebra', first: 51 })).toBe('BAD_USER_INPUT');
    expect(codeOf(await gql(app, SEARCH, { q: 'zebra' }))).toBe('UNAUTHENTICATED');
  });

  it('is one statement on the indexes: no sequential scan of posts, at 20,000 posts', async () => {
    const author = await signUp(app, 'bulk');
    const section = await createSection(app, author);
    // Words as a real corpus has them: most rare (each post its own), a few in one post in a thousand.
    await pool.query(
      `insert into posts (section_id, author_id, content)
       select $1, $2, 'note ' || md5(g::text) || case when g % 1000 = 0 then ' otters and herons by the newt pond' else '' end
       from generate_series(1, 20000) g`,
      [localIdOf(section.id), localIdOf(author.id)],
    );
    // As autovacuum would after such a load: the index's pending entries merged, the counts taken.
    await pool.query('vacuum analyze posts');
    for (const q of ['otters', 'otters herons newt']) {
      const plan = await app.runtime.services.search.explain(localIdOf(me.id), searchTerms(q), ['POST', 'USER', 'PRODUCT', 'SECTION', 'CHANNEL'], 20);
      expect(plan).toMatch(/Bitmap Index Scan on posts_search_idx/);
      expect(plan).not.toMatch(/Seq Scan on posts\b/);
    }
    expect((await search(me, 'otters herons newt', { kinds: ['POST'], first: 50 })).edges).toHaveLength(20);
  }, 60_000);
});

describe('search terms', () => {
  it('takes the last word as a prefix unless the query ends otherwise', () => {
    expect(searchTerms('harvest fest')).toMatchObject({ head: 'harvest', prefix: 'fest', name: 'harvest fest' });
    expect(searchTerms('harvest fest ')).toMatchObject({ prefix: null });
    expect(searchTerms('"harvest festival"')).toMatchObject({ prefix: null });
    expect(searchTerms('harvest -fest')).toMatchObject({ prefix: null });
  });
});

