import { randomBytes } from 'node:crypto';
import type { App } from '../../src/app.ts';

export interface GqlResponse<T = Record<string, any>> {
  status: number;
  data?: T | null;
  errors?: Array<{ message: string; path?: string[]; extensions?: Record<string, any> }>;
}

/** POSTs one operation to /graphql, as a browser or Apollo Client would. */
export async function gql<T = Record<string, any>>(
  app: Pick<App, 'url'>,
  query: string,
  variables: Record<string, unknown> = {},
  token?: string,
): Promise<GqlResponse<T>> {
  const res = await fetch(app.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await res.json()) as Omit<GqlResponse<T>, 'status'>;
  return { status: res.status, ...body };
}

/** Returns data, failing the test with the errors if there are any. */
export async function ok<T = Record<string, any>>(
  app: Pick<App, 'url'>,
  query: string,
  variables: Record<string, unknown> = {},
  token?: string,
): Promise<T> {
  const res = await gql<T>(app, query, variables, token);
  if (res.errors?.length || !res.data) throw new Error(`GraphQL errors: ${JSON.stringify(res.errors)}`);
  return res.data;
}

/** The first error's code, for asserting on expected failures. */
export function codeOf(res: GqlResponse): string | undefined {
  return res.errors?.[0]?.extensions?.code;
}

export const unique = (prefix: string) => `${prefix}_${randomBytes(5).toString('hex')}`;

export interface TestUser {
  id: string;
  username: string;
  token: string;
  refreshToken: string;
  /** ISO-8601 */
  expiresAt: string;
}

export const TEST_PASSWORD = 'correct horse battery';

export async function signUp(app: Pick<App, 'url'>, prefix = 'user', username = unique(prefix).slice(0, 32)): Promise<TestUser> {
  const data = await ok<{ signUp: { token: string; refreshToken: string; expiresAt: string; user: { id: string } } }>(
    app,
    'mutation($input: SignUpInput!) { signUp(input: $input) { token refreshToken expiresAt user { id } } }',
    { input: { username, password: TEST_PASSWORD } },
  );
  const { token, refreshToken, expiresAt } = data.signUp;
  return { id: data.signUp.user.id, username, token, refreshToken, expiresAt };
}

/** Signs in again: a second session for the same user. */
export async function signIn(app: Pick<App, 'url'>, user: Pick<TestUser, 'username'>): Promise<TestUser> {
  const data = await ok<{ signIn: { token: string; refreshToken: string; expiresAt: string; user: { id: string } } }>(
    app,
    'mutation($input: SignInInput!) { signIn(input: $input) { token refreshToken expiresAt user { id } } }',
    { input: { username: user.username, password: TEST_PASSWORD } },
  );
  const { token, refreshToken, expiresAt } = data.signIn;
  return { id: data.signIn.user.id, username: user.username, token, refreshToken, expiresAt };
}

export const REFRESH = 'mutation($t: String!) { refreshToken(input: { refreshToken: $t }) { token refreshToken expiresAt } }';

export async function createSection(
  app: Pick<App, 'url'>,
  user: TestUser,
  visibility: 'PUBLIC' | 'MEMBERS' = 'PUBLIC',
): Promise<{ id: string; slug: string }> {
  const slug = unique('s').replace(/_/g, '-');
  const data = await ok<{ createSection: { id: string; slug: string } }>(
    app,
    'mutation($input: CreateSectionInput!) { createSection(input: $input) { id slug } }',
    { input: { name: `Section ${slug}`, slug, visibility } },
    user.token,
  );
  return data.createSection;
}

export const CREATE_POST = /* GraphQL */ `
  mutation($input: CreatePostInput!) {
    createPost(input: $input) { id content createdAt author { id username } links { id url status } }
  }
`;

export async function createPost(
  app: Pick<App, 'url'>,
  user: TestUser,
  sectionId: string,
  content = 'hello',
  links: string[] = [],
): Promise<{ id: string; content: string; links: Array<{ id: string; url: string; status: string }> }> {
  const data = await ok<{ createPost: any }>(app, CREATE_POST, { input: { sectionId, content, links } }, user.token);
  return data.createPost;
}

/** The database id inside a global ID ("Type:uuid", base64). */
export const localIdOf = (globalId: string) => Buffer.from(globalId, 'base64').toString('utf8').split(':')[1] ?? '';
