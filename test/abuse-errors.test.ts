import { describe, expect, it } from 'vitest';
import { redisAvailable } from './helpers/app.ts';
import { productionInstance } from './helpers/attack.ts';
import { signUp, type TestUser } from './helpers/http.ts';
import { RawGraphqlWs } from './helpers/raw-ws.ts';

const MARKER = 'marker-7f3a9c';
const SIGN_UP = 'mutation($i: SignUpInput!) { signUp(input: $i) { token } }';

/** Requests whose errors would echo what was sent or suggest what the schema holds. */
const probes: Array<{ label: string; query: string; variables: Record<string, unknown> }> = [
  { label: 'a misspelt input field', query: SIGN_UP, variables: { i: { usernme: MARKER, password: `${MARKER}-password` } } },
  { label: 'an object for an ID', query: 'query($id: ID!) { post(id: $id) { id } }', variables: { id: { nested: MARKER } } },
  { label: 'a string for an Int', query: 'query($id: ID!, $n: Int) { section(id: $id) { posts(first: $n) { edges { cursor } } } }', variables: { id: 'x', n: MARKER } },
  { label: 'a misspelt field in the document', query: '{ me { usernme } }', variables: {} },
  { label: 'a misspelt argument', query: `{ post(idd: "${MARKER}") { id } }`, variables: {} },
];

describe.skipIf(!redisAvailable())('errors in production say what is wrong, not what was sent', () => {
  let user: TestUser;
  const instance = productionInstance({}, async (app) => {
    user = await signUp(app, 'prober');
  });

  const expectClean = (label: string, text: string) => {
    expect(text, label).not.toContain(MARKER);
    expect(text, label).not.toMatch(/did you mean/i);
    expect(text, label).toMatch(/"code":"[A-Z_]+"/);
  };

  it.each(probes)('over HTTP POST and GET: $label', async ({ label, query, variables }) => {
    const headers = { authorization: `Bearer ${user.token}` };
    const post = await fetch(instance.app.url, { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: JSON.stringify({ query, variables }) });
    expectClean(label, await post.text());
    const get = await fetch(`${instance.app.url}?query=${encodeURIComponent(query)}&variables=${encodeURIComponent(JSON.stringify(variables))}`, {
      headers: { ...headers, accept: 'application/graphql-response+json' },
    });
    expectClean(`${label} (GET)`, await get.text());
  });

  it('over graphql-ws', async () => {
    const { ws } = await RawGraphqlWs.open(instance.app, user.token);
    for (const [i, { query, variables }] of probes.entries()) ws.subscribe(`p${i}`, query, variables);
    await ws.until(() => ws.count('error') + ws.count('next') >= probes.length);
    for (const message of ws.received.filter((m) => m.type === 'error' || m.type === 'next')) expectClean(String(message.id), JSON.stringify(message));
    ws.close();
    await instance.bystander.check();
  });
});
