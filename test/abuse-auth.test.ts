import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { App } from '../src/app.ts';
import { addressKey } from '../src/http/guards/client-ip.ts';
import { redisAvailable } from './helpers/app.ts';
import { productionInstance } from './helpers/attack.ts';
import { codeOf, type GqlResponse, gql, ok, REFRESH, signUp, TEST_PASSWORD } from './helpers/http.ts';

// Back-off counts live a day in the shared Redis: every run guesses from networks of its own.
const run = randomBytes(2).toString('hex');
const network = (n: number) => `2001:db8:${run}:${n.toString(16)}`;

const SIGN_IN = 'mutation($u: String!, $p: String!) { signIn(input: { username: $u, password: $p }) { token } }';

/** A sign-in sent as from `address` (the instance trusts one proxy's X-Forwarded-For). */
async function signInFrom(app: App, address: string, username: string, password: string): Promise<GqlResponse> {
  const res = await fetch(app.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-forwarded-for': address },
    body: JSON.stringify({ query: SIGN_IN, variables: { u: username, p: password } }),
  });
  return { status: res.status, ...((await res.json()) as object) };
}

describe('an address is counted as its network', () => {
  it('counts an IPv6 client as its /64 and an IPv4-mapped one as IPv4', () => {
    expect(addressKey('2001:db8:1:2::a')).toBe(addressKey('2001:db8:1:2:ffff:ffff:ffff:ffff'));
    expect(addressKey('2001:db8:1:2::a')).not.toBe(addressKey('2001:db8:1:3::a'));
    expect(addressKey('::ffff:203.0.113.9')).toBe('203.0.113.9');
    expect(addressKey('203.0.113.9')).toBe('203.0.113.9');
  });
});

describe.skipIf(!redisAvailable())('guessing and stolen tokens (production mode)', () => {
  const instance = productionInstance({ TRUST_PROXY_HOPS: '1', SIGN_IN_FREE_FAILURES_PER_IP: '3' });

  it('checks at most the free failures and one more of twelve wrong passwords sent at once', async () => {
    const victim = await signUp(instance.app, 'victim');
    const answers = await Promise.all(
      Array.from({ length: 12 }, (_, i) => signInFrom(instance.app, `${network(100 + i)}::1`, victim.username, `wrong password ${i}`)),
    );
    const codes = answers.map(codeOf);
    expect(codes.filter((c) => c === 'UNAUTHENTICATED').length).toBeLessThanOrEqual(6);
    expect(codes.filter((c) => c === 'RATE_LIMITED').length).toBeGreaterThanOrEqual(6);
    expect(codes.filter((c) => c !== 'UNAUTHENTICATED' && c !== 'RATE_LIMITED')).toEqual([]);
    await instance.bystander.check();
  });

  it('slows down guesses from one IPv6 /64 whatever address in it they come from', async () => {
    const accounts = await Promise.all(Array.from({ length: 6 }, () => signUp(instance.app, 'v6target')));
    const codes: Array<string | undefined> = [];
    for (const [i, account] of accounts.entries()) {
      codes.push(codeOf(await signInFrom(instance.app, `${network(1)}::${(i + 1).toString(16)}`, account.username, 'not the password')));
    }
    // Three free failures for the network, the fourth locks it out.
    expect(codes.slice(0, 4)).toEqual(['UNAUTHENTICATED', 'UNAUTHENTICATED', 'UNAUTHENTICATED', 'UNAUTHENTICATED']);
    expect(codes.slice(4)).toEqual(['RATE_LIMITED', 'RATE_LIMITED']);
    // Another /64 is another client; the right password from it signs in.
    const other = await signUp(instance.app, 'v6other');
    expect(codeOf(await signInFrom(instance.app, `${network(2)}::1`, other.username, 'not the password'))).toBe('UNAUTHENTICATED');
    expect((await signInFrom(instance.app, `${network(2)}::1`, other.username, TEST_PASSWORD)).data?.signIn.token).toBeTruthy();
  });

  it('revokes the whole session when a token two rotations old comes back', async () => {
    const victim = await signUp(instance.app, 'rotated');
    // The thief, holding a copy of R0, rotates twice.
    const r1 = (await ok(instance.app, REFRESH, { t: victim.refreshToken })).refreshToken;
    const r2 = (await ok(instance.app, REFRESH, { t: r1.refreshToken })).refreshToken;
    // The victim presents R0: refused, and the thief's R2 and access token are dead with it.
    expect(codeOf(await gql(instance.app, REFRESH, { t: victim.refreshToken }))).toBe('UNAUTHENTICATED');
    expect(codeOf(await gql(instance.app, REFRESH, { t: r2.refreshToken }))).toBe('UNAUTHENTICATED');
    expect(codeOf(await gql(instance.app, '{ me { id } }', {}, r2.token))).toBe('UNAUTHENTICATED');
    await instance.bystander.check();
  });
});
