import { Agent, request } from 'undici';

const agent = new Agent({ connections: 256, pipelining: 1 });

/** One GraphQL request over a pooled HTTP connection: its answer, errors included. */
export async function gqlAnswer<T = any>(
  url: string,
  query: string,
  variables: Record<string, unknown> = {},
  token?: string,
): Promise<{ data?: T; errors?: Array<{ message: string; extensions?: { code?: string } }> }> {
  const res = await request(url, {
    method: 'POST',
    dispatcher: agent,
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  return (await res.body.json()) as { data?: T; errors?: Array<{ message: string; extensions?: { code?: string } }> };
}

/** One GraphQL request over a pooled HTTP connection; throws on GraphQL errors. */
export async function gql<T = any>(url: string, query: string, variables: Record<string, unknown> = {}, token?: string): Promise<T> {
  const body = await gqlAnswer<T>(url, query, variables, token);
  if (body.errors?.length || !body.data) throw new Error(JSON.stringify(body.errors));
  return body.data;
}

/** A new user named `name_<random>`, or exactly `username` when given. */
export async function signUp(url: string, name: string, username?: string): Promise<{ token: string; id: string }> {
  const data = await gql(url, 'mutation($i: SignUpInput!) { signUp(input: $i) { token user { id } } }', {
    i: { username: username ?? `${name}_${Math.random().toString(36).slice(2, 10)}`, password: 'benchmark password' },
  });
  return { token: data.signUp.token, id: data.signUp.user.id };
}

export function closeAgent() {
  return agent.close();
}
