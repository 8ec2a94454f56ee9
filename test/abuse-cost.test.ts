import { describe, expect, it } from 'vitest';
import { redisAvailable } from './helpers/app.ts';
import { productionInstance } from './helpers/attack.ts';
import { codeOf, createPost, createSection, gql, ok, signUp, type TestUser } from './helpers/http.ts';

const TEN_KB = 'x'.repeat(9_990);

describe.skipIf(!redisAvailable())('one request cannot ask for unbounded work (production mode)', () => {
  let attacker: TestUser;
  let sectionId: string;
  const instance = productionInstance({}, async (app) => {
    attacker = await signUp(app, 'attacker');
    sectionId = (await createSection(app, attacker)).id;
    for (let i = 0; i < 12; i++) await createPost(app, attacker, sectionId, `${i} ${TEN_KB}`);
  });

  it('counts a page size passed in a variable as if written in the document', async () => {
    const aliases = (first: string) =>
      Array.from({ length: 12 }, (_, i) => `s${i}: section(id: $id) { posts(first: ${first}) { edges { node { id content links { id url status } } } } }`).join(' ');
    const literal = await gql(instance.app, `query($id: ID!) { ${aliases('50')} }`, { id: sectionId }, attacker.token);
    expect(codeOf(literal)).toBe('QUERY_TOO_COSTLY');
    const before = instance.app.runtime.database.statementCount();
    const variable = await gql(instance.app, `query($id: ID!, $n: Int) { ${aliases('$n')} }`, { id: sectionId, n: 50 }, attacker.token);
    expect(codeOf(variable)).toBe('QUERY_TOO_COSTLY');
    expect(variable.data ?? null).toBeNull();
    expect(variable.errors?.[0]?.extensions?.cost).toBeGreaterThan(15_000);
    // A page size left out counts as the largest the field takes.
    const missing = await gql(instance.app, `query($id: ID!, $n: Int) { ${aliases('$n')} }`, { id: sectionId }, attacker.token);
    expect(codeOf(missing)).toBe('QUERY_TOO_COSTLY');
    expect(instance.app.runtime.database.statementCount()).toBe(before);
    // The same document with a small page runs.
    const small = await ok(instance.app, `query($id: ID!, $n: Int) { ${aliases('$n')} }`, { id: sectionId, n: 2 }, attacker.token);
    expect(small.s11.posts.edges).toHaveLength(2);
    await instance.bystander.check();
  });

  it('refuses nodes(ids:) with more than 100 ids, running nothing', async () => {
    const query = 'query($ids: [ID!]!, $n: Int) { nodes(ids: $ids) { ... on Section { posts(first: $n) { edges { node { content } } } } } }';
    const before = instance.app.runtime.database.statementCount();
    const res = await gql(instance.app, query, { ids: Array.from({ length: 400 }, () => sectionId), n: 1 }, attacker.token);
    expect(codeOf(res)).toBe('BAD_USER_INPUT');
    expect(res.errors?.[0]?.message).toMatch(/at most 100/);
    expect(instance.app.runtime.database.statementCount()).toBe(before);
    await instance.bystander.check();
  });

  it('answers RESPONSE_TOO_LARGE instead of a body past MAX_RESPONSE_BYTES, over POST and GET', async () => {
    // 100 ids x 10 posts of 10 kB: affordable by cost, 10 MB of answer.
    const query = 'query($ids: [ID!]!, $n: Int) { nodes(ids: $ids) { ... on Section { posts(first: $n) { edges { node { content } } } } } }';
    const variables = { ids: Array.from({ length: 100 }, () => sectionId), n: 10 };
    const post = await fetch(instance.app.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${attacker.token}` },
      body: JSON.stringify({ query, variables }),
    });
    const postBody = await post.text();
    expect(postBody.length).toBeLessThan(1_000);
    expect(JSON.parse(postBody).errors[0].extensions.code).toBe('RESPONSE_TOO_LARGE');

    const url = `${instance.app.url}?query=${encodeURIComponent(query)}&variables=${encodeURIComponent(JSON.stringify(variables))}`;
    const get = await fetch(url, { headers: { authorization: `Bearer ${attacker.token}`, accept: 'application/json' } });
    const getBody = await get.text();
    expect(getBody.length).toBeLessThan(1_000);
    expect(JSON.parse(getBody).errors[0].extensions.code).toBe('RESPONSE_TOO_LARGE');

    // A page that fits is answered in full.
    const fits = await ok(instance.app, query, { ids: [sectionId], n: 10 }, attacker.token);
    expect(fits.nodes[0].posts.edges).toHaveLength(10);
    await instance.bystander.check();
  });
});
