import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { inject } from 'vitest';
import type { App } from '../src/app.ts';
import { loadConfig } from '../src/config/index.ts';
import { createBackoff } from '../src/lib/backoff.ts';
import { redisAvailable, startTestApp } from './helpers/app.ts';
import { type GqlResponse, TEST_PASSWORD, unique } from './helpers/http.ts';
import { RawGraphqlWs } from './helpers/raw-ws.ts';
import { run } from './helpers/transports.ts';

/** POSTs as a client at `ip` (the app trusts one proxy hop, so X-Forwarded-For names the client). */
async function as(app: App, ip: string, query: string, variables: Record<string, unknown> = {}, token?: string) {
  const res = await fetch(app.url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-forwarded-for': ip,
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: JSON.stringify({ query, variables }),
  });
  return { status: res.status, ...((await res.json()) as Omit<GqlResponse, 'status'>) };
}

const data = (res: GqlResponse) => {
  if (res.errors?.length) throw new Error(JSON.stringify(res.errors));
  return res.data as Record<string, any>;
};
const codeOf = (res: GqlResponse) => res.errors?.[0]?.extensions?.code;
const randomIp = () => `10.${[...randomBytes(3)].join('.')}`;

const SIGN_UP = 'mutation($u: String!) { signUp(input: { username: $u, password: "correct horse battery" }) { token user { id } } }';
const SIGN_IN = 'mutation($u: String!, $p: String!) { signIn(input: { username: $u, password: $p }) { token } }';

let app: App;
beforeAll(async () => {
  app = await startTestApp({
    env: {
      TRUST_PROXY_HOPS: '1',
      RATE_LIMIT_SIGN_UP: '2/60',
      RATE_LIMIT_SIGN_IN: '1000/60',
      RATE_LIMIT_CREATE_SECTION: '2/60',
      RATE_LIMIT_CREATE_POST: '2/60',
      RATE_LIMIT_REACTION: '2/60',
      RATE_LIMIT_CREATE_STORY: '2/60',
      RATE_LIMIT_VIEW_STORY: '2/60',
      RATE_LIMIT_CREATE_CHANNEL: '2/60',
      RATE_LIMIT_ADD_PRODUCT: '2/60',
      RATE_LIMIT_REQUESTS_PER_IP: '50/60',
      RATE_LIMIT_SUBSCRIBE: '5/60',
      RATE_LIMIT_WS_MESSAGES: '20/60',
      SIGN_IN_FREE_FAILURES_PER_ACCOUNT: '3',
      SIGN_IN_FREE_FAILURES_PER_IP: '6',
    },
  });
});
afterAll(() => app?.stop());

/** A new user, signed up from an address of its own. */
async function newUser() {
  const username = unique('rl').slice(0, 32);
  const up = data(await as(app, randomIp(), SIGN_UP, { u: username })).signUp;
  return { username, token: up.token as string, ip: randomIp() };
}

const count = async (table: string) =>
  (await app.runtime.database.pool.query(`select count(*)::int as n from ${table}`)).rows[0].n as number;

describe('every mutation is rate-limited per user', () => {
  type Case = [name: string, table: string, prepare: () => Promise<(i: number) => Promise<GqlResponse>>];
  const cases: Case[] = [
    [
      'createSection',
      'sections',
      async () => {
        const u = await newUser();
        return (i) => as(app, u.ip, 'mutation($s: String!) { createSection(input: { name: "S", slug: $s }) { id } }', { s: unique('s').replace(/_/g, '-') + i }, u.token);
      },
    ],
    [
      'createPost',
      'posts',
      async () => {
        const u = await newUser();
        const section = await sectionFor();
        return () => as(app, u.ip, 'mutation($s: ID!) { createPost(input: { sectionId: $s, content: "hi" }) { id } }', { s: section }, u.token);
      },
    ],
    [
      'addReaction and removeReaction, together',
      'post_reactions',
      async () => {
        const u = await newUser();
        const post = await postFor();
        const emojis = ['👍', '🎉', '🔥'];
        return (i) => as(app, u.ip, 'mutation($p: ID!, $e: String!) { addReaction(input: { postId: $p, emoji: $e }) { id } }', { p: post, e: emojis[i] }, u.token);
      },
    ],
    [
      'createStory',
      'stories',
      async () => {
        const u = await newUser();
        return () => as(app, u.ip, 'mutation { createStory(input: { mediaUrl: "https://cdn.example/s.jpg" }) { id } }', {}, u.token);
      },
    ],
    [
      'viewStory',
      'story_views',
      async () => {
        const u = await newUser();
        const stories = await Promise.all([storyFor(), storyFor(), storyFor()]);
        return (i) => as(app, u.ip, 'mutation($s: ID!) { viewStory(storyId: $s) { id } }', { s: stories[i] }, u.token);
      },
    ],
    [
      'createChannel',
      'channels',
      async () => {
        const u = await newUser();
        return () => as(app, u.ip, 'mutation { createChannel(input: { name: "Live" }) { id } }', {}, u.token);
      },
    ],
    [
      'addProduct',
      'products',
      async () => {
        const u = await newUser();
        const channel = data(await as(app, u.ip, 'mutation { createChannel(input: { name: "Live" }) { id } }', {}, u.token)).createChannel.id;
        return () => as(app, u.ip, 'mutation($c: ID!) { addProduct(input: { channelId: $c, name: "Mug", priceCents: 500, currency: "EUR" }) { id } }', { c: channel }, u.token);
      },
    ],
  ];

  it.each(cases)('%s: RATE_LIMITED with retryAfterSeconds past the limit, and nothing changes', async (_name, table, prepare) => {
    const attempt = await prepare();
    data(await attempt(0));
    data(await attempt(1));
    const before = await count(table);
    const refused = await attempt(2);
    expect(codeOf(refused)).toBe('RATE_LIMITED');
    expect(refused.errors?.[0]?.extensions?.retryAfterSeconds).toBeGreaterThan(0);
    expect(await count(table)).toBe(before);
    // Another user is not slowed down by it.
    expect(codeOf(await (await prepare())(0))).toBeUndefined();
  });
});

describe('requests, subscriptions and WebSocket messages', () => {
  it('answers 429 RATE_LIMITED to an address past its request budget, before any work; other addresses go on', async () => {
    const ip = randomIp();
    const answers = [];
    for (let i = 0; i < 51; i++) answers.push(await as(app, ip, '{ __typename }'));
    expect(answers.slice(0, 50).every((a) => a.status === 200)).toBe(true);
    expect(answers[50]).toMatchObject({ status: 429, errors: [{ extensions: { code: 'RATE_LIMITED' } }] });
    expect((await as(app, randomIp(), '{ __typename }')).status).toBe(200);
  });

  it('limits how fast one user starts subscriptions, on every transport', async () => {
    const u = await newUser();
    const { ws } = await RawGraphqlWs.open(app, u.token);
    for (let i = 0; i < 6; i++) ws.subscribe(String(i), 'subscription { storyActivity { __typename } }');
    await ws.until(() => ws.count('next') === 1);
    expect(ws.received.find((m) => m.type === 'next')?.payload.errors[0].extensions.code).toBe('RATE_LIMITED');
    const overSse = await run(app, 'sse', 'subscription { storyActivity { __typename } }', { token: u.token });
    expect(overSse.errors?.[0]?.extensions?.code).toBe('RATE_LIMITED');
    ws.close();
  });

  it('closes a WebSocket that sends more messages than RATE_LIMIT_WS_MESSAGES with 4429', async () => {
    const u = await newUser();
    const { ws } = await RawGraphqlWs.open(app, u.token);
    for (let i = 0; i < 25; i++) ws.send({ type: 'ping' });
    await ws.until(() => ws.closed !== null);
    expect(ws.closed).toEqual({ code: 4429, reason: 'Too many messages' });
    expect(ws.count('pong')).toBeLessThanOrEqual(19);
  });
});

describe('sign-up is rate-limited per address', () => {
  it('refuses a third sign-up from one address, not from another', async () => {
    const ip = randomIp();
    for (let i = 0; i < 2; i++) data(await as(app, ip, SIGN_UP, { u: unique('ip').slice(0, 32) }));
    const before = await count('users');
    expect(codeOf(await as(app, ip, SIGN_UP, { u: unique('ip').slice(0, 32) }))).toBe('RATE_LIMITED');
    expect(await count('users')).toBe(before);
    data(await as(app, randomIp(), SIGN_UP, { u: unique('ip').slice(0, 32) }));
  });
});

describe('sign-in guessing', () => {
  it('100 wrong passwords for one account from many addresses: a handful are checked, then RATE_LIMITED, even the right one', async () => {
    const victim = await newUser();
    const answers: Array<string | undefined> = [];
    for (let i = 0; i < 100; i++) {
      answers.push(codeOf(await as(app, randomIp(), SIGN_IN, { u: victim.username, p: `guess ${i}` })));
    }
    expect(answers.filter((c) => c === 'UNAUTHENTICATED').length).toBeLessThanOrEqual(4);
    expect(answers.filter((c) => c === 'RATE_LIMITED').length).toBeGreaterThanOrEqual(96);
    const right = await as(app, randomIp(), SIGN_IN, { u: victim.username, p: TEST_PASSWORD });
    expect(codeOf(right)).toBe('RATE_LIMITED');
    expect(right.errors?.[0]?.extensions?.retryAfterSeconds).toBeGreaterThanOrEqual(1);
  });

  it('one address guessing across accounts is slowed down; others still sign in', async () => {
    const guesser = randomIp();
    const users = await Promise.all(Array.from({ length: 8 }, () => newUser()));
    const answers = [];
    for (const user of users) answers.push(codeOf(await as(app, guesser, SIGN_IN, { u: user.username, p: 'wrong password' })));
    expect(answers.slice(0, 6).every((c) => c === 'UNAUTHENTICATED')).toBe(true);
    expect(answers.at(-1)).toBe('RATE_LIMITED');
    const last = users.at(-1)!;
    expect(codeOf(await as(app, guesser, SIGN_IN, { u: last.username, p: TEST_PASSWORD }))).toBe('RATE_LIMITED');
    expect(data(await as(app, randomIp(), SIGN_IN, { u: last.username, p: TEST_PASSWORD })).signIn.token).toBeTruthy();
  });
});

describe('exponential back-off', () => {
  const retryAfterOf = (attempt: Promise<unknown>) =>
    attempt.then(
      () => 0,
      (err: { extensions?: { retryAfterSeconds?: number } }) => err.extensions?.retryAfterSeconds ?? -1,
    );
  const backends = [
    ['in this process', () => null],
    ...(redisAvailable() ? [['shared through Redis', () => new Redis(inject('redisUrl')!)] as const] : []),
  ] as Array<[string, () => Redis | null]>;
  // Until its client is connected, the shared back-off counts in this process: the test waits for it.
  const ready = async (redis: Redis | null) => {
    if (redis && redis.status !== 'ready') await new Promise((resolve) => redis.once('ready', resolve));
    return redis;
  };

  it.each(backends)('lets the free failures and one more through when twelve attempts come at once (%s)', async (_label, makeRedis) => {
    const redis = await ready(makeRedis());
    try {
      const backoff = createBackoff(redis, { name: unique('bo'), freeFailures: 5, maxSeconds: 8 });
      const key = unique('k');
      const waits = await Promise.all(Array.from({ length: 12 }, () => retryAfterOf(backoff.begin(key))));
      expect(waits.filter((w) => w === 0)).toHaveLength(6);
      expect(waits.filter((w) => w === 1)).toHaveLength(6);
    } finally {
      redis?.disconnect();
    }
  });

  it.each(backends)('doubles each lock-out up to the maximum, and forgets on success (%s)', async (_label, makeRedis) => {
    const redis = await ready(makeRedis());
    try {
      const backoff = createBackoff(redis, { name: unique('bo'), freeFailures: 1, maxSeconds: 2 });
      const key = unique('k');
      const waits: number[] = [];
      let attempt = await backoff.begin(key);
      expect(await retryAfterOf(backoff.begin(key))).toBe(0);
      for (let i = 0; i < 3; i++) {
        // A refused attempt counts nothing: the lock-out is waited out by asking again until an attempt starts.
        waits.push(await retryAfterOf(backoff.begin(key)));
        attempt = await vi.waitFor(() => backoff.begin(key), { timeout: 5_000, interval: 100 });
      }
      expect(waits).toEqual([1, 2, 2]);
      await attempt.succeeded({ forget: true });
      expect(await retryAfterOf(backoff.begin(key))).toBe(0);
    } finally {
      redis?.disconnect();
    }
  }, 20_000);
});

describe('settings', () => {
  it('RATE_LIMIT_MULTIPLIER scales every limit, 0 turns them off, and a bad limit is refused at start', () => {
    const scaled = loadConfig({ RATE_LIMIT_MULTIPLIER: '2', RATE_LIMIT_CREATE_POST: '3/60' });
    expect(scaled.rateLimits.mutations?.createPost).toEqual({ points: 6, seconds: 60 });
    expect(scaled.stories.reactionsPerMinute).toBe(60);
    expect(loadConfig({ RATE_LIMIT_MULTIPLIER: '0' }).rateLimits.mutations).toBeNull();
    expect(loadConfig({}).rateLimits.multiplier).toBe(1);
    expect(() => loadConfig({ RATE_LIMIT_CREATE_POST: 'thirty' })).toThrow(/RATE_LIMIT_CREATE_POST/);
  });

  it('with RATE_LIMIT_MULTIPLIER=0 nothing is limited', async () => {
    const unlimited = await startTestApp({ env: { RATE_LIMIT_MULTIPLIER: '0', RATE_LIMIT_CREATE_CHANNEL: '1/60' } });
    try {
      const u = data(await as(unlimited, randomIp(), SIGN_UP, { u: unique('nl').slice(0, 32) })).signUp;
      for (let i = 0; i < 5; i++) {
        data(await as(unlimited, '10.0.0.1', 'mutation { createChannel(input: { name: "Live" }) { id } }', {}, u.token));
      }
    } finally {
      await unlimited.stop();
    }
  });
});

async function sectionFor(): Promise<string> {
  const u = await newUser();
  const slug = unique('s').replace(/_/g, '-');
  return data(await as(app, u.ip, 'mutation($s: String!) { createSection(input: { name: "S", slug: $s }) { id } }', { s: slug }, u.token)).createSection.id;
}

async function postFor(): Promise<string> {
  const u = await newUser();
  const section = await sectionFor();
  return data(await as(app, u.ip, 'mutation($s: ID!) { createPost(input: { sectionId: $s, content: "hi" }) { id } }', { s: section }, u.token)).createPost.id;
}

async function storyFor(): Promise<string> {
  const u = await newUser();
  return data(await as(app, u.ip, 'mutation { createStory(input: { mediaUrl: "https://cdn.example/s.jpg" }) { id } }', {}, u.token)).createStory.id;
}
