import parsePrometheus from 'parse-prometheus-text-format';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../src/app.ts';
import { startTestApp } from './helpers/app.ts';
import { createTestDatabase } from './helpers/db.ts';
import { createSection, localIdOf, ok, signUp, type TestUser } from './helpers/http.ts';
import { listening, subscribeWs, wsClient } from './helpers/subscriptions.ts';

type Families = ReturnType<typeof parsePrometheus> & { text: string };

/** One scrape, parsed (the parser throws on text that is not Prometheus's format). */
async function scrape(app: App, headers: Record<string, string> = {}): Promise<Families> {
  const response = await fetch(new URL('/metrics', app.url), { headers });
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toContain('text/plain');
  const text = await response.text();
  return Object.assign(parsePrometheus(text), { text });
}

/**
 * The value of one series (counter or gauge); for a histogram, its `_count` (read from the text: the
 * parser keeps only a histogram's buckets). 0 when absent.
 */
function value(families: Families, name: string, labels: Record<string, string> = {}): number {
  const family = families.find((f) => f.name === name);
  if (family?.type === 'HISTOGRAM') {
    const line = families.text
      .split('\n')
      .find((l) => l.startsWith(`${name}_count{`) && Object.entries(labels).every(([k, v]) => l.includes(`${k}="${v}"`)));
    return Number(line?.split(' ').at(-1) ?? 0);
  }
  const sample = family?.metrics.find((m) => Object.entries(labels).every(([k, v]) => m.labels?.[k] === v));
  return Number(sample?.value ?? 0);
}

describe('GET /metrics', () => {
  let app: App;
  let user: TestUser;
  beforeAll(async () => {
    app = await startTestApp();
    user = await signUp(app);
  });
  afterAll(() => app?.stop());

  it('parses as Prometheus text, and its counters and gauges move as a subscriber gets a post', async () => {
    const section = await createSection(app, user);
    const before = await scrape(app);
    const names = new Set(before.map((f) => f.name));
    for (const name of [
      'plaza_http_request_duration_seconds',
      'plaza_graphql_operation_duration_seconds',
      'plaza_open_connections',
      'plaza_active_subscriptions',
      'plaza_events_published_total',
      'plaza_events_delivered_total',
      'plaza_link_jobs_total',
      'plaza_job_queue_jobs',
      'plaza_dependency_up',
      'process_cpu_seconds_total',
    ]) {
      expect(names, name).toContain(name);
    }
    expect(value(before, 'plaza_dependency_up', { dependency: 'postgres' })).toBe(1);
    expect(before.find((f) => f.name === 'plaza_job_queue_jobs')?.metrics.some((m) => m.labels?.queue === 'link-metadata')).toBe(true);

    const { client } = wsClient(app, user.token);
    const ready = listening(app, `post:created:${localIdOf(section.id)}`);
    const sub = subscribeWs(client, 'subscription OnPost($id: ID!) { postCreated(sectionId: $id) { id } }', { id: section.id });
    await ready;
    await ok(app, 'mutation CreatePost($input: CreatePostInput!) { createPost(input: $input) { id } }', { input: { sectionId: section.id, content: 'counted' } }, user.token);
    await sub.waitFor(1);

    const during = await scrape(app);
    expect(value(during, 'plaza_open_connections', { transport: 'websocket' })).toBe(1);
    expect(value(during, 'plaza_active_subscriptions', { topic: 'post:created' })).toBe(1);
    expect(value(during, 'plaza_events_published_total', { topic: 'post:created' })).toBe(value(before, 'plaza_events_published_total', { topic: 'post:created' }) + 1);
    expect(value(during, 'plaza_events_delivered_total', { topic: 'post:created' })).toBe(value(before, 'plaza_events_delivered_total', { topic: 'post:created' }) + 1);
    expect(value(during, 'plaza_graphql_operation_duration_seconds', { operation: 'CreatePost', type: 'mutation' })).toBeGreaterThan(
      value(before, 'plaza_graphql_operation_duration_seconds', { operation: 'CreatePost', type: 'mutation' }),
    );
    expect(value(during, 'plaza_http_request_duration_seconds', { route: '/graphql', method: 'POST', status: '200' })).toBeGreaterThan(0);

    sub.dispose();
    await client.dispose();
    await expect.poll(async () => value(await scrape(app), 'plaza_active_subscriptions', { topic: 'post:created' })).toBe(0);
  });

  it('counts a post’s links by what became of their first attempt here', async () => {
    // Workers run on a database of the test's own (no other file's jobs).
    const database = await createTestDatabase();
    const worker = await startTestApp({ env: { DATABASE_URL: database.url, RUN_WORKERS: 'true' } });
    try {
      const author = await signUp(worker);
      const section = await createSection(worker, author);
      const before = await scrape(worker);
      // Two links to one private host (refused, BLOCKED at once): the first is attempted here, the second queued.
      await ok(
        worker,
        'mutation CreatePost($input: CreatePostInput!) { createPost(input: $input) { id } }',
        { input: { sectionId: section.id, content: 'links', links: ['http://10.0.0.1/a', 'http://10.0.0.1/b'] } },
        author.token,
      );
      await expect
        .poll(async () => value(await scrape(worker), 'plaza_link_jobs_total', { status: 'BLOCKED' }), { timeout: 15_000 })
        .toBe(value(before, 'plaza_link_jobs_total', { status: 'BLOCKED' }) + 2);
      const after = await scrape(worker);
      expect(value(after, 'plaza_link_first_attempts_total', { outcome: 'done' })).toBe(1);
      expect(value(after, 'plaza_link_first_attempts_total', { outcome: 'skipped' })).toBe(1);
    } finally {
      await worker.stop();
      await database.drop();
    }
  }, 30_000);

  it('counts errors by code, and gives arbitrary operation names no label of their own past the cap', async () => {
    const before = await scrape(app);
    const response = await fetch(new URL('/graphql', app.url), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: 'query Nope { me { id } }' }),
    });
    expect(response.status).toBe(200);
    const after = await scrape(app);
    expect(value(after, 'plaza_graphql_errors_total', { code: 'UNAUTHENTICATED' })).toBe(value(before, 'plaza_graphql_errors_total', { code: 'UNAUTHENTICATED' }) + 1);
    for (let i = 0; i < 250; i++) app.runtime.metrics.operationLabel(`Generated${i}`);
    expect(app.runtime.metrics.operationLabel('OneMore')).toBe('other');
    expect(app.runtime.metrics.operationLabel('bad name!')).toBe('other');
  });
});

describe('GET /metrics in production', () => {
  it('is not there without METRICS_TOKEN, and asks for the token when there is one', async () => {
    const base = { NODE_ENV: 'production', JWT_SECRET: 'x'.repeat(48) };
    const closed = await startTestApp({ redis: true, env: base });
    try {
      expect((await fetch(new URL('/metrics', closed.url))).status).toBe(404);
    } finally {
      await closed.stop();
    }
    const guarded = await startTestApp({ redis: true, env: { ...base, METRICS_TOKEN: 'scrape-me-scrape-me' } });
    try {
      expect((await fetch(new URL('/metrics', guarded.url))).status).toBe(401);
      expect((await fetch(new URL('/metrics', guarded.url), { headers: { authorization: 'Bearer wrong-token-wrong!!' } })).status).toBe(401);
      expect(value(await scrape(guarded, { authorization: 'Bearer scrape-me-scrape-me' }), 'plaza_dependency_up', { dependency: 'redis' })).toBe(1);
    } finally {
      await guarded.stop();
    }
  });
});
