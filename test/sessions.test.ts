import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../src/app.ts';
import { createSessionService } from '../src/modules/sessions/service.ts';
import { redisAvailable, startTestApp, TEST_JWT_SECRET, twoInstances } from './helpers/app.ts';
import {
  codeOf,
  createPost,
  createSection,
  gql,
  localIdOf,
  ok,
  REFRESH,
  signIn,
  signUp,
  type TestUser,
} from './helpers/http.ts';
import {
  listening,
  subscribeSse,
  subscribeWs,
  sweptAfter,
  wsClient,
  wsClientWithSocket,
} from './helpers/subscriptions.ts';

const ME = '{ me { id } }';
const POST_CREATED = 'subscription($id: ID!) { postCreated(sectionId: $id) { id content } }';

describe('refresh tokens', () => {
  let app: App;
  beforeAll(async () => {
    app = await startTestApp();
  });
  afterAll(() => app?.stop());

  it('trades a refresh token for a new pair once; the used one is refused', async () => {
    const user = await signUp(app);
    const renewed = (await ok(app, REFRESH, { t: user.refreshToken })).refreshToken;
    expect(renewed.token).not.toBe(user.token);
    expect(new Date(renewed.expiresAt).getTime()).toBeGreaterThan(Date.now());
    expect((await ok(app, ME, {}, renewed.token)).me.id).toBe(user.id);
    // The replaced token is used up (within the grace period it is refused, the session lives on).
    expect(codeOf(await gql(app, REFRESH, { t: user.refreshToken }))).toBe('UNAUTHENTICATED');
    expect((await ok(app, REFRESH, { t: renewed.refreshToken })).refreshToken.token).toBeTruthy();
  });

  it('takes a replay after the grace period as theft and revokes the whole session', async () => {
    const user = await signUp(app);
    const sessions = createSessionService({
      db: app.runtime.database.db,
      outbox: app.runtime.outbox,
      streams: app.runtime.streams,
      ttlDays: 30,
      reuseGraceMs: 0,
    });
    const rotated = await sessions.rotate(user.refreshToken);
    await expect(sessions.rotate(user.refreshToken)).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
    // The thief's replay also ends the rightful holder's newer token and the session's access tokens.
    await expect(sessions.rotate(rotated.refreshToken)).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
    expect(codeOf(await gql(app, ME, {}, user.token))).toBe('UNAUTHENTICATED');
  });

  it('refuses malformed and unknown refresh tokens with UNAUTHENTICATED', async () => {
    for (const t of ['', 'nonsense', '00000000-0000-4000-8000-000000000000.abc', 'a.b.c']) {
      expect(codeOf(await gql(app, REFRESH, { t }))).toBe('UNAUTHENTICATED');
    }
  });
});

describe('tokens on long-lived connections', () => {
  let app: App;
  let section: { id: string };
  beforeAll(async () => {
    app = await startTestApp({ env: { JWT_TTL_SECONDS: '2' } });
    section = await createSection(app, await signUp(app, 'author'));
  });
  afterAll(() => app?.stop());

  it('closes a WebSocket with 4403 when its token expires', async () => {
    const user = await signUp(app);
    const ws = wsClientWithSocket(app, user.token);
    const ready = listening(app, `post:created:${localIdOf(section.id)}`);
    const sub = subscribeWs(ws.client, POST_CREATED, { id: section.id });
    await ready;
    const closed = await ws.closed;
    expect(closed).toEqual({ code: 4403, reason: 'Token expired' });
    expect(Date.now()).toBeGreaterThanOrEqual(new Date(user.expiresAt).getTime());
    sub.dispose();
  });

  it('ends an SSE stream at expiry with a final UNAUTHENTICATED error', async () => {
    const user = await signUp(app);
    const ready = listening(app, `post:created:${localIdOf(section.id)}`);
    const sub = subscribeSse(app, user.token, POST_CREATED, { id: section.id });
    await ready;
    const error = JSON.stringify(await sub.waitForError(10_000));
    expect(error).toContain('UNAUTHENTICATED');
    expect(error).toContain('Token expired');
    sub.dispose();
  });
});

describe('renewing a WebSocket in place', () => {
  let app: App;
  let section: { id: string };
  beforeAll(async () => {
    app = await startTestApp();
    section = await createSection(app, await signUp(app, 'author'));
  });
  afterAll(() => app?.stop());

  it('takes a new token in a ping: its subscription outlives the first token', async () => {
    const user = await signUp(app);
    // A token of the user's session that lasts one second, as an old token about to expire would.
    const shortLived = await tokenFor(user, 1);
    const ws = wsClientWithSocket(app, shortLived.token);
    const ready = listening(app, `post:created:${localIdOf(section.id)}`);
    const sub = subscribeWs(ws.client, POST_CREATED, { id: section.id });
    await ready;
    const renewed = (await ok(app, REFRESH, { t: user.refreshToken })).refreshToken;
    const pong = (await ws.renew(renewed.token)) as { expiresAt: string };
    expect(pong).toEqual({ expiresAt: renewed.expiresAt });
    await sweptAfter(app, shortLived.expiresAt);
    const post = await createPost(app, user, section.id, 'after the first token expired');
    expect((await sub.waitFor(1))[0].postCreated.id).toBe(post.id);
    expect(ws.connections).toBe(1);
    sub.dispose();
    await ws.client.dispose();
  });

  it("closes a WebSocket renewed with another user's token or a bad one", async () => {
    const [user, other] = await Promise.all([signUp(app), signUp(app)]);
    for (const token of [other.token, 'not-a-token']) {
      const ws = wsClientWithSocket(app, user.token);
      await ws.connected;
      await expect(ws.renew(token)).rejects.toThrow(/closed/);
      expect((await ws.closed).code).toBe(4403);
    }
  });
});

/** A token for the user's current session that expires in `seconds`. */
async function tokenFor(user: TestUser, seconds: number) {
  const [, payload] = user.token.split('.');
  const { sid } = JSON.parse(Buffer.from(payload ?? '', 'base64url').toString()) as { sid: string };
  const expiresAt = Math.floor(Date.now() / 1000) + seconds;
  const token = await new SignJWT({ sid })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(localIdOf(user.id))
    .setIssuer('plaza')
    .setAudience('plaza-api')
    .setIssuedAt()
    .setExpirationTime(expiresAt)
    .sign(new TextEncoder().encode(TEST_JWT_SECRET));
  return { token, expiresAt: expiresAt * 1000 };
}

describe.skipIf(!redisAvailable())('signing out across instances', () => {
  const instances = twoInstances({ redis: true });

  it("signOut closes that session's connections on the other instance and ends its tokens everywhere", async () => {
    const { a, b } = instances;
    const first = await signUp(a);
    const second = await signIn(a, first);
    const wsFirst = wsClient(b, first.token);
    const wsSecond = wsClient(b, second.token);
    // Both sockets are up (their `me` answers) before the sign-out.
    for (const { client } of [wsFirst, wsSecond]) {
      expect((await subscribeWs(client, ME).waitFor(1))[0].me.id).toBe(first.id);
    }

    expect((await ok(a, 'mutation { signOut }', {}, first.token)).signOut).toBe(true);
    expect(await wsFirst.closed).toBe(4403);
    for (const app of [a, b]) expect(codeOf(await gql(app, ME, {}, first.token))).toBe('UNAUTHENTICATED');
    expect(codeOf(await gql(b, REFRESH, { t: first.refreshToken }))).toBe('UNAUTHENTICATED');
    // The other session lives on, on its socket and over HTTP.
    expect((await subscribeWs(wsSecond.client, ME).waitFor(1))[0].me.id).toBe(first.id);
    expect((await ok(b, ME, {}, second.token)).me.id).toBe(first.id);
    await wsSecond.client.dispose();
  });

  it('signOutEverywhere closes every session’s WebSockets and SSE streams on every instance', async () => {
    const { a, b } = instances;
    const first = await signUp(a);
    const second = await signIn(b, first);
    const section = await createSection(a, first);
    const wsOnA = wsClient(a, first.token);
    const wsOnB = wsClient(b, second.token);
    const ready = listening(b, `post:created:${localIdOf(section.id)}`);
    const sse = subscribeSse(b, second.token, POST_CREATED, { id: section.id });
    await ready;
    for (const { client } of [wsOnA, wsOnB]) await subscribeWs(client, ME).waitFor(1);

    await ok(b, 'mutation { signOutEverywhere }', {}, second.token);
    expect(await wsOnA.closed).toBe(4403);
    expect(await wsOnB.closed).toBe(4403);
    expect(JSON.stringify(await sse.waitForError())).toContain('Signed out');
    for (const token of [first.token, second.token]) expect(codeOf(await gql(a, ME, {}, token))).toBe('UNAUTHENTICATED');
    sse.dispose();
  });
});

describe('the periodic session recheck', () => {
  let app: App;
  beforeAll(async () => {
    app = await startTestApp();
  });
  afterAll(() => app?.stop());

  it('ends the sockets of a session revoked without an event, and no socket that came while it asked', async () => {
    const { registry } = app.server;
    const { viewers, database } = app.runtime;
    const revoked = await signUp(app);
    const kept = await signUp(app);
    const gone = wsClient(app, revoked.token);
    await subscribeWs(gone.client, ME).waitFor(1);
    // Revoked in the database only, as when the revocation's event is lost.
    await database.pool.query('update sessions set revoked_at = now() where user_id = $1', [localIdOf(revoked.id)]);

    // The database's answer is held until a socket has come (and authenticated) meanwhile.
    const asked = viewers.stillActive.bind(viewers);
    let release = () => {};
    const held = new Promise<void>((resolve) => (release = resolve));
    viewers.stillActive = async (ids) => {
      const answer = await asked(ids);
      await held;
      return answer;
    };
    try {
      const rechecked = registry.recheck();
      const late = wsClient(app, kept.token);
      await subscribeWs(late.client, ME).waitFor(1);
      release();
      await rechecked;
      expect(await gone.closed).toBe(4403);
      // The socket that came meanwhile still answers: it was not taken for a revoked one.
      expect((await subscribeWs(late.client, ME).waitFor(1))[0].me.id).toBe(kept.id);
      await late.client.dispose();
    } finally {
      viewers.stillActive = asked;
    }
  });
});
