import { ApolloClient, gql as apolloGql, HttpLink, InMemoryCache } from '@apollo/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../src/app.ts';
import { startTestApp } from './helpers/app.ts';
import { createPost, createSection, localIdOf, signUp, type TestUser } from './helpers/http.ts';
import { listening } from './helpers/subscriptions.ts';

/** What Apollo Client's HttpLink sends for a subscription when there is no WebSocket link. */
const APOLLO_ACCEPT = 'multipart/mixed;boundary=graphql;subscriptionSpec=1.0,application/json';
const POSTS = 'subscription($id: ID!) { postCreated(sectionId: $id) { content cursor } }';

let app: App;
let user: TestUser;
let section: { id: string };
beforeAll(async () => {
  app = await startTestApp({ env: { MAX_CONNECTIONS_PER_USER: '2' } });
  user = await signUp(app);
  section = await createSection(app, user);
});
afterAll(() => app?.stop());

const channel = () => `post:created:${localIdOf(section.id)}`;
const subscribers = () => app.runtime.streams.subscriberCounts().get('post:created') ?? 0;

/** Reads a multipart body as it comes, until `until` holds for the text so far. */
async function readUntil(res: Response, until: (text: string) => boolean, timeoutMs = 10_000): Promise<string> {
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let text = '';
  const deadline = setTimeout(() => void reader.cancel(), timeoutMs);
  try {
    while (!until(text)) {
      const { value, done } = await reader.read();
      if (done) throw new Error(`the stream ended before it held what was awaited: ${JSON.stringify(text)}`);
      text += decoder.decode(value, { stream: true });
    }
    return text;
  } finally {
    clearTimeout(deadline);
    reader.releaseLock();
  }
}

/** A multipart subscription to a section's posts, asked for as Apollo Client's HttpLink asks. */
function subscribeMultipart(token: string, signal?: AbortSignal, on: Pick<App, 'url'> = app, sectionId = section.id) {
  return fetch(on.url, {
    method: 'POST',
    signal,
    headers: { 'content-type': 'application/json', accept: APOLLO_ACCEPT, authorization: `Bearer ${token}` },
    body: JSON.stringify({ query: POSTS, variables: { id: sectionId } }),
  });
}

describe("subscriptions over Apollo's multipart HTTP protocol", () => {
  it('deliver every event to an Apollo Client with only an HttpLink, and let go when it unsubscribes', async () => {
    const client = new ApolloClient({
      link: new HttpLink({ uri: app.url, headers: { authorization: `Bearer ${user.token}` } }),
      cache: new InMemoryCache(),
    });
    const received: Array<{ content: string; cursor: string }> = [];
    let wake = () => {};
    const live = listening(app, channel());
    const subscription = client.subscribe({ query: apolloGql(POSTS), variables: { id: section.id } }).subscribe({
      next: ({ data }) => {
        received.push((data as { postCreated: { content: string; cursor: string } }).postCreated);
        wake();
      },
    });
    await live;
    for (const content of ['one', 'two']) await createPost(app, user, section.id, content);
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${received.length} of 2 events`)), 10_000);
      wake = () => received.length >= 2 && (clearTimeout(timer), resolve());
      wake();
    });
    expect(received.map((e) => e.content)).toEqual(['one', 'two']);
    expect(received.every((e) => typeof e.cursor === 'string' && e.cursor.length > 0)).toBe(true);

    const openBefore = app.server.registry.size;
    subscription.unsubscribe();
    await expect.poll(() => subscribers(), { timeout: 10_000 }).toBe(0);
    await expect.poll(() => app.server.registry.size, { timeout: 10_000 }).toBe(openBefore - 1);
  });

  it('frame each result as a JSON part closed by the boundary, with a heartbeat part while quiet', async () => {
    const stop = new AbortController();
    const live = listening(app, channel());
    const res = await subscribeMultipart(user.token, stop.signal);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('multipart/mixed;boundary="graphql";subscriptionSpec="1.0"');
    await live;
    await createPost(app, user, section.id, 'framed');
    const event = await readUntil(res, (text) => text.includes('"framed"') && text.endsWith('\r\n--graphql'));
    expect(event.startsWith('\r\n--graphql\r\ncontent-type: application/json; charset=utf-8\r\n\r\n{"payload":{"data":{"postCreated":')).toBe(true);
    // Nothing happens for a while: the server says it is still there.
    const quiet = await readUntil(res, (text) => text.includes('{}'), 10_000);
    expect(quiet).toBe('\r\ncontent-type: application/json; charset=utf-8\r\n\r\n{}\r\n--graphql');
    stop.abort();
    await expect.poll(() => subscribers(), { timeout: 10_000 }).toBe(0);
    await expect.poll(() => app.server.registry.size, { timeout: 10_000 }).toBe(0);
  });

  it("count against the user's connection cap like any other stream", async () => {
    const stops = [new AbortController(), new AbortController()];
    const live = listening(app, channel());
    const open = await Promise.all(stops.map((stop) => subscribeMultipart(user.token, stop.signal)));
    expect(open.map((res) => res.status)).toEqual([200, 200]);
    await live;
    const refused = await subscribeMultipart(user.token, AbortSignal.timeout(10_000));
    expect(refused.status).toBe(429);
    expect(await refused.text()).toContain('TOO_MANY_CONNECTIONS');
    for (const stop of stops) stop.abort();
    await expect.poll(() => subscribers(), { timeout: 10_000 }).toBe(0);
  });
});

describe('a multipart subscription whose token expires', () => {
  let short: App;
  beforeAll(async () => {
    short = await startTestApp({ env: { JWT_TTL_SECONDS: '2' } });
  });
  afterAll(() => short?.stop());

  it('ends with a last part carrying UNAUTHENTICATED, then the closing boundary', async () => {
    const author = await signUp(short);
    const own = await createSection(short, author);
    const live = listening(short, `post:created:${localIdOf(own.id)}`);
    const res = await subscribeMultipart(author.token, undefined, short, own.id);
    expect(res.status).toBe(200);
    await live;
    const text = await readUntil(res, (t) => t.endsWith('\r\n--graphql--\r\n'));
    const last = text.split('\r\n--graphql').at(-2)!;
    expect(last).toContain('"UNAUTHENTICATED"');
    expect(last).toContain('Token expired');
    expect(Date.now()).toBeGreaterThanOrEqual(new Date(author.expiresAt).getTime());
  });
});
