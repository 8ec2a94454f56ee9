import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../src/app.ts';
import { startTestApp, TEST_JWT_SECRET } from './helpers/app.ts';
import { codeOf, gql, localIdOf, ok, signUp, unique } from './helpers/http.ts';

const SIGN_UP = 'mutation($input: SignUpInput!) { signUp(input: $input) { token user { id username displayName } } }';
const SIGN_IN = 'mutation($input: SignInInput!) { signIn(input: $input) { token user { id username } } }';
const ME = '{ me { id username } }';

let app: App;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app?.stop());

describe('sign-up and sign-in', () => {
  it('signs up, signs in and knows the viewer', async () => {
    const username = unique('Ada');
    const up = await ok(app, SIGN_UP, { input: { username, password: 'correct horse', displayName: 'Ada L.' } });
    expect(up.signUp.user).toMatchObject({ username, displayName: 'Ada L.' });
    const me = await ok(app, ME, {}, up.signUp.token);
    expect(me.me.id).toBe(up.signUp.user.id);
    // Usernames match regardless of case.
    const inRes = await ok(app, SIGN_IN, { input: { username: username.toLowerCase(), password: 'correct horse' } });
    expect(inRes.signIn.user.id).toBe(up.signUp.user.id);
    expect((await ok(app, ME, {}, inRes.signIn.token)).me.username).toBe(username);
  });

  it('stores only an Argon2id hash', async () => {
    const user = await signUp(app);
    const { rows } = await app.runtime.database.pool.query('select password_hash from users where id = $1', [
      localIdOf(user.id),
    ]);
    expect(rows[0].password_hash).toMatch(/^\$argon2id\$/);
  });

  it('refuses a duplicate username, in any letter case, and creates nothing', async () => {
    const user = await signUp(app, 'dup');
    const before = await userCount();
    const res = await gql(app, SIGN_UP, {
      input: { username: user.username.toUpperCase(), password: 'another password' },
    });
    expect(codeOf(res)).toBe('BAD_USER_INPUT');
    expect(res.errors?.[0]?.message).toMatch(/taken/);
    expect(await userCount()).toBe(before);
  });

  it.each([
    ['a short username', { username: 'ab', password: 'long enough' }],
    ['a username with spaces', { username: 'a b c', password: 'long enough' }],
    ['a short password', { username: 'someone_new', password: 'short' }],
    ['an over-long password', { username: 'someone_new', password: 'x'.repeat(257) }],
    ['an empty display name', { username: 'someone_new', password: 'long enough', displayName: '   ' }],
  ])('refuses %s', async (_label, input) => {
    const before = await userCount();
    const res = await gql(app, SIGN_UP, { input });
    expect(codeOf(res)).toBe('BAD_USER_INPUT');
    expect(await userCount()).toBe(before);
  });

  it('gives the same answer for a wrong password and an unknown user', async () => {
    const user = await signUp(app);
    const wrong = await gql(app, SIGN_IN, { input: { username: user.username, password: 'wrong password' } });
    const unknown = await gql(app, SIGN_IN, { input: { username: unique('ghost'), password: 'wrong password' } });
    expect(codeOf(wrong)).toBe('UNAUTHENTICATED');
    expect(codeOf(unknown)).toBe('UNAUTHENTICATED');
    expect(wrong.errors?.[0]?.message).toBe(unknown.errors?.[0]?.message);
  });
});

describe('tokens over HTTP', () => {
  it('answers UNAUTHENTICATED without a token, with a forged one and with an expired one', async () => {
    const user = await signUp(app);
    const forged = `${user.token.slice(0, -4)}AAAA`;
    const expired = await new SignJWT({})
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(localIdOf(user.id))
      .setIssuer('plaza')
      .setAudience('plaza-api')
      .setIssuedAt(Math.floor(Date.now() / 1000) - 7200)
      .setExpirationTime(Math.floor(Date.now() / 1000) - 3600)
      .sign(new TextEncoder().encode(TEST_JWT_SECRET));
    for (const token of [undefined, forged, expired, 'not-a-jwt']) {
      expect(codeOf(await gql(app, ME, {}, token))).toBe('UNAUTHENTICATED');
    }
  });

  it('never takes a token from the query string', async () => {
    const user = await signUp(app);
    const url = new URL(app.url);
    url.searchParams.set('query', ME);
    for (const name of ['token', 'access_token', 'authorization']) url.searchParams.set(name, user.token);
    const res = await fetch(url, { headers: { accept: 'application/json', 'graphql-preflight': '1' } });
    const body = (await res.json()) as { errors?: Array<{ extensions?: { code?: string } }> };
    expect(body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });
});

async function userCount(): Promise<number> {
  const { rows } = await app.runtime.database.pool.query('select count(*)::int as n from users');
  return rows[0].n;
}
