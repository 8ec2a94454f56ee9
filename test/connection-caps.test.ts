import { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { App } from '../src/app.ts';
import { createUserConnectionLimiter } from '../src/http/connections/per-user.ts';
import { redisAvailable, startTestApp, twoInstances } from './helpers/app.ts';
import { createPost, createSection, localIdOf, ok, signUp, type TestUser } from './helpers/http.ts';
import { RawGraphqlWs } from './helpers/raw-ws.ts';
import { run } from './helpers/transports.ts';

const HIGHLIGHTED = 'subscription($id: ID!) { productHighlighted(channelId: $id) { version } }';
const REACTIONS = 'subscription($id: ID!) { postReactionsChanged(sectionId: $id) { id reactions { emoji count viewerHasReacted } } }';
const ME = '{ me { id } }';

const tooMany = (ws: RawGraphqlWs) =>
  ws.count('error', (m) => m.payload?.[0]?.extensions?.code === 'TOO_MANY_SUBSCRIPTIONS');

async function channelOf(app: App, seller: TestUser): Promise<string> {
  return (await ok(app, 'mutation { createChannel(input: { name: "Live" }) { id } }', {}, seller.token)).createChannel.id;
}

/** Resolves once `count` subscribers have joined the `channel` stream (subscriptions live). */
function listeners(app: App, channel: string, count: number, timeoutMs = 10_000): Promise<void> {
  const events = app.runtime.broker.events;
  let seen = 0;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      events.off('watching', on);
      reject(new Error(`${seen} of ${count} subscribers on ${channel}`));
    }, timeoutMs);
    function on(c: string) {
      if (c !== channel || ++seen < count) return;
      clearTimeout(timer);
      events.off('watching', on);
      resolve();
    }
    events.on('watching', on);
  });
}

describe('subscriptions per connection', () => {
  let app: App;
  beforeAll(async () => {
    app = await startTestApp({ env: { MAX_SUBSCRIPTIONS_PER_CONNECTION: '20', MAX_VIEWER_SUBSCRIPTIONS_PER_CONNECTION: '3' } });
  });
  afterAll(() => app?.stop());

  it('refuses the extra subscribe with TOO_MANY_SUBSCRIPTIONS; the socket and the server keep serving', async () => {
    const user = await signUp(app);
    const channel = await channelOf(app, user);
    const { ws } = await RawGraphqlWs.open(app, user.token);
    for (let i = 0; i < 500; i++) ws.subscribe(`s${i}`, HIGHLIGHTED, { id: channel });
    await ws.until(() => ws.idsWithNext().size + tooMany(ws) === 500);
    expect(ws.idsWithNext().size).toBe(20);
    expect(ws.closed).toBeNull();
    expect((await ok(app, ME, {}, user.token)).me.id).toBe(user.id);
    // Completing one frees its place.
    const first = [...ws.idsWithNext()][0]!;
    ws.send({ id: first, type: 'complete' });
    ws.subscribe('again', HIGHLIGHTED, { id: channel });
    await ws.until(() => ws.idsWithNext().has('again') || tooMany(ws) > 480);
    expect(ws.idsWithNext().has('again')).toBe(true);
    ws.close();
  });

  it('counts identical viewer-dependent subscriptions once and runs them once per event; distinct ones are capped', async () => {
    const user = await signUp(app);
    const sections = await Promise.all([0, 1, 2, 3].map(() => createSection(app, user)));
    const post = await createPost(app, user, sections[0]!.id);
    const { ws } = await RawGraphqlWs.open(app, user.token);
    const live = listeners(app, `post:reactionsChanged:${localIdOf(sections[0]!.id)}`, 15);
    for (let i = 0; i < 15; i++) ws.subscribe(`same${i}`, REACTIONS, { id: sections[0]!.id });
    await live;
    ws.subscribe('other1', REACTIONS, { id: sections[1]!.id });
    ws.subscribe('other2', REACTIONS, { id: sections[2]!.id });
    ws.subscribe('fourth', REACTIONS, { id: sections[3]!.id });
    await ws.until(() => tooMany(ws) === 1);
    expect(ws.received.find((m) => m.type === 'error')?.id).toBe('fourth');

    const before = app.runtime.database.statementCount();
    await ok(app, 'mutation($p: ID!) { addReaction(input: { postId: $p, emoji: "🎉" }) { id } }', { p: post.id }, user.token);
    await ws.until(() => ws.count('next') === 15);
    // The mutation's own statements, one read of the event, and one execution (post + counts) for all
    // fifteen; unshared it would be thirty more.
    expect(app.runtime.database.statementCount() - before).toBeLessThan(15);
    const payloads = new Set(ws.received.filter((m) => m.type === 'next').map((m) => JSON.stringify(m.payload.data)));
    expect([...payloads]).toEqual([JSON.stringify({ postReactionsChanged: { id: post.id, reactions: [{ emoji: '🎉', count: 1, viewerHasReacted: true }] } })]);
    ws.close();
  });
});

describe('replayed attacks (default caps)', () => {
  let app: App;
  beforeAll(async () => {
    app = await startTestApp();
  });
  afterAll(() => app?.stop());

  it('one user, 21 sockets, 300 subscribes on each: 20 sockets of 100 subscriptions, the rest refused, others still served', async () => {
    const [attacker, bystander] = await Promise.all([signUp(app), signUp(app)]);
    const channel = await channelOf(app, attacker);
    const sockets: RawGraphqlWs[] = [];
    const refused: RawGraphqlWs[] = [];
    for (let i = 0; i < 21; i++) {
      const { ws, acknowledged } = await RawGraphqlWs.open(app, attacker.token);
      (acknowledged ? sockets : refused).push(ws);
    }
    expect(sockets).toHaveLength(20);
    expect(refused.map((ws) => ws.closed?.code)).toEqual([4429]);
    for (const ws of sockets) for (let i = 0; i < 300; i++) ws.subscribe(`s${i}`, HIGHLIGHTED, { id: channel });
    expect((await ok(app, ME, {}, bystander.token)).me.id).toBe(bystander.id);
    for (const ws of sockets) await ws.until(() => ws.idsWithNext().size + tooMany(ws) === 300, 30_000);
    expect(sockets.map((ws) => ws.idsWithNext().size)).toEqual(Array(20).fill(100));
    expect((await ok(app, ME, {}, bystander.token)).me.id).toBe(bystander.id);
    for (const ws of sockets) ws.close();
  });

  it('2,000 identical postReactionsChanged on one socket and 50 reaction toggles: 100 run, sharing one execution per event', async () => {
    const [attacker, bystander] = await Promise.all([signUp(app), signUp(app)]);
    const section = await createSection(app, attacker);
    const post = await createPost(app, attacker, section.id);
    const { ws } = await RawGraphqlWs.open(app, attacker.token);
    const live = listeners(app, `post:reactionsChanged:${localIdOf(section.id)}`, 100);
    for (let i = 0; i < 2_000; i++) ws.subscribe(`r${i}`, REACTIONS, { id: section.id });
    await live;
    await ws.until(() => tooMany(ws) === 1_900);

    const before = app.runtime.database.statementCount();
    for (let i = 0; i < 50; i++) {
      const verb = i % 2 === 0 ? 'addReaction' : 'removeReaction';
      await ok(app, `mutation($p: ID!) { ${verb}(input: { postId: $p, emoji: "👍" }) { id } }`, { p: post.id }, attacker.token);
    }
    await ws.until(() => ws.count('next') === 100 * 50, 30_000);
    // About ten statements per toggle (mutation, event, one shared execution); unshared, each event would
    // cost 100 executions of two statements each: 10,000 in all.
    expect(app.runtime.database.statementCount() - before).toBeLessThan(700);
    expect((await ok(app, ME, {}, bystander.token)).me.id).toBe(bystander.id);
    ws.close();
  });
});

describe('connections per instance', () => {
  let app: App;
  beforeAll(async () => {
    app = await startTestApp({ env: { MAX_CONNECTIONS: '3' } });
  });
  afterAll(() => app?.stop());

  it('refuses a WebSocket or an event stream past MAX_CONNECTIONS with 503 and keeps answering requests', async () => {
    const users = await Promise.all([0, 1, 2, 3].map(() => signUp(app)));
    const open = await Promise.all(users.slice(0, 3).map((u) => RawGraphqlWs.open(app, u.token)));
    expect(open.every((o) => o.acknowledged)).toBe(true);
    const last = users[3]!;
    expect((await run(app, 'ws', ME, { token: last.token })).status).toBe(503);
    const sse = await fetch(app.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream', authorization: `Bearer ${last.token}` },
      body: JSON.stringify({ query: 'subscription { storyActivity { __typename } }' }),
    });
    expect(sse.status).toBe(503);
    expect(sse.headers.get('retry-after')).toBe('5');
    expect((await ok(app, ME, {}, last.token)).me.id).toBe(last.id);
    expect((await fetch(new URL('/health', app.url))).status).toBe(200);
    for (const { ws } of open) ws.close();
  });
});

describe.skipIf(!redisAvailable())('connections per user, across instances', () => {
  const instances = twoInstances({ redis: true, env: { MAX_CONNECTIONS_PER_USER: '3' } });

  it('counts WebSockets and SSE streams on every instance together; a closed one frees its place', async () => {
    const { a, b } = instances;
    const [user, other] = await Promise.all([signUp(a), signUp(a)]);
    const first = await RawGraphqlWs.open(a, user.token);
    const second = await RawGraphqlWs.open(a, user.token);
    const streamLive = listeners(b, `story:activity:${localIdOf(user.id)}`, 1);
    const stream = new AbortController();
    const sse = await fetch(b.url, {
      method: 'POST',
      signal: stream.signal,
      headers: { 'content-type': 'application/json', accept: 'text/event-stream', authorization: `Bearer ${user.token}` },
      body: JSON.stringify({ query: 'subscription { storyActivity { __typename } }' }),
    });
    expect(sse.status).toBe(200);
    await streamLive;
    expect([first.acknowledged, second.acknowledged]).toEqual([true, true]);

    const fourth = await RawGraphqlWs.open(b, user.token);
    expect(fourth.acknowledged).toBe(false);
    expect(fourth.ws.closed).toEqual({ code: 4429, reason: 'Too many connections' });
    const refusedStream = await fetch(a.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream', authorization: `Bearer ${user.token}` },
      body: JSON.stringify({ query: 'subscription { storyActivity { __typename } }' }),
    });
    expect(refusedStream.status).toBe(429);
    expect(await refusedStream.text()).toContain('TOO_MANY_CONNECTIONS');
    expect((await RawGraphqlWs.open(b, other.token)).acknowledged).toBe(true);

    // Closing a socket on A frees a place for one on B.
    const serverSide = [...a.server.wss.clients];
    const released = Promise.all(serverSide.map((s) => new Promise((resolve) => s.once('close', resolve))));
    first.ws.close();
    second.ws.close();
    await released;
    // The slots are given back by A's Redis connection without waiting; a command sent after them on that
    // connection is answered once they are gone, and only then may B count.
    await a.runtime.redis!.ping();
    expect((await RawGraphqlWs.open(b, user.token)).acknowledged).toBe(true);
    stream.abort();
  });
});

describe.skipIf(!redisAvailable())('connection slots of an instance that died', () => {
  it('free themselves when their lease runs out', async () => {
    const redis = new Redis(inject('redisUrl')!);
    await new Promise((resolve) => redis.once('ready', resolve));
    const silent = pino({ level: 'silent' });
    const dead = createUserConnectionLimiter({ redis, max: 1, logger: silent, leaseMs: 300 });
    const alive = createUserConnectionLimiter({ redis, max: 1, logger: silent, leaseMs: 300 });
    try {
      const user = `user-${Date.now()}`;
      expect(await dead.acquire(user, 'on-the-dead-instance')).toBe(true);
      // The instance is killed: it neither renews nor releases its slot.
      dead.stop();
      expect(await alive.acquire(user, 'elsewhere')).toBe(false);
      const deadline = Date.now() + 5_000;
      let granted = false;
      while (!granted && Date.now() < deadline) {
        granted = await alive.acquire(user, 'elsewhere');
        if (!granted) await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(granted).toBe(true);
    } finally {
      alive.stop();
      redis.disconnect();
    }
  });
});
