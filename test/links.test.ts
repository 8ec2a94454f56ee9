import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../src/app.ts';
import { createTestDatabase } from './helpers/db.ts';
import { startTestApp } from './helpers/app.ts';
import { codeOf, createPost, createSection, gql, ok, signUp, type TestUser } from './helpers/http.ts';
import { type Subscription, watchLinks, wsClient } from './helpers/subscriptions.ts';
import { FakeWeb, html, sequence } from './helpers/web.ts';

const UPDATES = /* GraphQL */ `
  subscription($id: ID!) {
    linkMetadataUpdated(sectionId: $id) {
      sectionId postId linkId
      link { id url status error fetchedAt metadata { title description image siteName url type embed { type provider url html width height } } }
    }
  }
`;

const PAGE = `<!doctype html><html><head>
  <title>Fallback title | Example</title>
  <meta property="og:title" content="The  &amp; Page">
  <meta property="og:description" content="A page about things.">
  <meta property="og:image" content="/img/cover.png">
  <meta property="og:site_name" content="Example Site">
  <link rel="alternate" type="application/json+oembed" href="/oembed.json">
</head><body><p>hello</p></body></html>`;

let web: FakeWeb;
let canary: Server;
let canaryHits = 0;
let app: App;
let database: Awaited<ReturnType<typeof createTestDatabase>>;
let alice: TestUser;
let section: { id: string };
let client: ReturnType<typeof wsClient>['client'];
let updates: Subscription;

/** The events received so far for one link. */
const eventsFor = (linkId: string) => updates.results.filter((r) => r.linkMetadataUpdated.linkId === linkId);

/** Waits until the link's first event arrives, and returns it. */
async function finalOf(linkId: string, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = eventsFor(linkId)[0];
    if (found) return found.linkMetadataUpdated;
    await updates.waitFor(updates.results.length + 1, Math.max(1, deadline - Date.now()));
  }
}

async function post(links: string[]) {
  return createPost(app, alice, section.id, 'links', links);
}

beforeAll(async () => {
  web = await new FakeWeb().start();
  // A canary on loopback port 80: any request reaching it means a private address was fetched.
  canary = createServer((_req, res) => {
    canaryHits += 1;
    res.end('secret');
  });
  await new Promise<void>((resolve) => {
    canary.once('error', () => resolve());
    canary.listen(80, '127.0.0.1', () => resolve());
  });
  database = await createTestDatabase();
  app = await startTestApp({
    env: {
      DATABASE_URL: database.url,
      RUN_WORKERS: 'true',
      LINK_FETCH_ALLOW_HOSTS: `127.0.0.1:${web.port}`,
      LINK_FETCH_TIMEOUT_MS: '1500',
      LINK_FETCH_MAX_BYTES: '200000',
      LINK_RETRY_LIMIT: '2',
      LINK_RETRY_DELAY_SECONDS: '1',
      JOB_POLL_SECONDS: '0.5',
    },
  });
  alice = await signUp(app, 'alice');
  section = await createSection(app, alice);
  ({ client, updates } = await watchLinks(app, alice.token, section.id, UPDATES));
});

afterAll(async () => {
  updates?.dispose();
  await client?.dispose();
  await app?.stop();
  await database?.drop();
  await web?.stop();
  await new Promise((resolve) => canary.close(resolve));
});

describe('link previews', () => {
  it('delivers READY with the page’s metadata and its oEmbed to the section’s subscribers (no markup from an unknown provider)', async () => {
    web.routes.set('/article', html(PAGE));
    web.routes.set('/oembed.json', (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ type: 'video', provider_name: 'ExampleTube', html: '<iframe src="x"></iframe>', width: 640, height: 360 }));
    });
    const created = await post([web.url('/article')]);
    const link = created.links[0]!;
    const update = await finalOf(link.id);
    expect(update).toMatchObject({ sectionId: section.id, postId: created.id, linkId: link.id });
    expect(update.link.status).toBe('READY');
    expect(update.link.error).toBeNull();
    expect(update.link.fetchedAt).toEqual(expect.any(String));
    expect(update.link.metadata).toMatchObject({
      title: 'The & Page',
      description: 'A page about things.',
      image: web.url('/img/cover.png'),
      siteName: 'Example Site',
      // ExampleTube is not a provider known to serve a plain iframe: its markup is not passed on.
      embed: { type: 'video', provider: 'ExampleTube', html: null, width: 640, height: 360 },
    });
    // What was announced is what is stored, field for field (the event's JSON is built by the final write's statement).
    const stored = await ok(
      app,
      'query($id: ID!) { node(id: $id) { ... on Link { id url status error fetchedAt metadata { title description image siteName url type embed { type provider url html width height } } } } }',
      { id: link.id },
      alice.token,
    );
    expect(stored.node).toEqual(update.link);
    expect(stored.node.metadata.title).toBe('The & Page');
  });

  it('previews a direct image URL as an image', async () => {
    web.routes.set('/photo.jpg', (_req, res) => {
      res.writeHead(200, { 'content-type': 'image/jpeg' });
      res.end(Buffer.alloc(64));
    });
    const link = (await post([web.url('/photo.jpg')])).links[0]!;
    const update = await finalOf(link.id);
    expect(update.link.status).toBe('READY');
    expect(update.link.metadata).toMatchObject({ type: 'image', image: web.url('/photo.jpg') });
  });

  it('blocks private and internal targets before any byte reaches them', async () => {
    web.routes.set('/to-private', (_req, res) => {
      res.writeHead(302, { location: 'http://127.0.0.1/admin' });
      res.end();
    });
    const vectors = [
      'http://127.0.0.1/',
      'http://0x7f.1/',
      'http://[::1]/',
      'http://[::ffff:127.0.0.1]/',
      'http://169.254.169.254/latest/meta-data/',
      'http://100.64.0.1/',
      'http://localhost/',
      web.url('/to-private'),
    ];
    const created = await post(vectors);
    for (const link of created.links) {
      const update = await finalOf(link.id);
      expect(update.link.status, link.url).toBe('BLOCKED');
      expect(update.link.error, link.url).toBe('BLOCKED');
    }
    expect(canary.listening).toBe(true);
    expect(canaryHits).toBe(0);
  });

  it('retries 503, 503 then 200 and announces READY once', async () => {
    web.routes.set('/flaky', sequence(html('down', 503), html('down', 503), html(PAGE)));
    const link = (await post([web.url('/flaky')])).links[0]!;
    const update = await finalOf(link.id, 20_000);
    expect(update.link.status).toBe('READY');
    expect(web.hits.get('/flaky')).toBe(3);
    // A later event for another link proves no second one for this link came in between.
    web.routes.set('/sentinel-1', html(PAGE));
    const sentinel = (await post([web.url('/sentinel-1')])).links[0]!;
    await finalOf(sentinel.id);
    expect(eventsFor(link.id)).toHaveLength(1);
  });

  it('fails a 404 at once, without retrying', async () => {
    const link = (await post([web.url('/missing')])).links[0]!;
    const update = await finalOf(link.id);
    expect(update.link).toMatchObject({ status: 'FAILED', error: 'HTTP_ERROR' });
    expect(web.hits.get('/missing')).toBe(1);
  });

  it('honours Retry-After on 429', async () => {
    web.routes.set('/busy', sequence(html('slow down', 429, { 'retry-after': '1' }), html(PAGE)));
    const link = (await post([web.url('/busy')])).links[0]!;
    expect((await finalOf(link.id)).link.status).toBe('READY');
    expect(web.hits.get('/busy')).toBe(2);
  });

  it('ends a page that never finishes, one that drips, a huge one, non-HTML and a redirect loop FAILED, and keeps serving', async () => {
    web.routes.set('/hang', (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.write('<html><head>');
    });
    web.routes.set('/drip', (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      const timer = setInterval(() => res.write(' '), 100);
      res.once('close', () => clearInterval(timer));
    });
    web.routes.set('/huge', (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html', 'content-length': String(50 * 1024 * 1024) });
      res.write('<html>');
    });
    web.routes.set('/huge-chunked', (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end(`<html><body>${'x'.repeat(300_000)}</body></html>`);
    });
    web.routes.set('/doc.pdf', (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/pdf' });
      res.end('%PDF-1.4');
    });
    web.routes.set('/loop', (_req, res) => {
      res.writeHead(302, { location: '/loop' });
      res.end();
    });
    web.routes.set('/fine', html(PAGE));
    const created = await post(['/hang', '/drip', '/huge', '/huge-chunked', '/doc.pdf', '/loop', '/fine'].map((p) => web.url(p)));
    const [hang, drip, huge, chunked, pdf, loop, fine] = created.links;
    expect((await finalOf(fine!.id)).link.status).toBe('READY');
    expect((await finalOf(huge!.id)).link.error).toBe('TOO_LARGE');
    expect((await finalOf(chunked!.id)).link.error).toBe('TOO_LARGE');
    expect((await finalOf(pdf!.id)).link.error).toBe('NOT_HTML');
    expect((await finalOf(loop!.id)).link.error).toBe('REDIRECTS');
    expect((await finalOf(hang!.id, 25_000)).link).toMatchObject({ status: 'FAILED', error: 'TIMEOUT' });
    expect((await finalOf(drip!.id, 25_000)).link).toMatchObject({ status: 'FAILED', error: 'TIMEOUT' });
    // Timeouts are transient: tried 1 + 2 retries.
    expect(web.hits.get('/hang')).toBe(3);
  }, 60_000);

  it('reuses a cached preview of the same page without fetching it', async () => {
    web.routes.set('/cached', html(PAGE));
    const first = (await post([web.url('/cached#one')])).links[0]!;
    expect((await finalOf(first.id)).link.status).toBe('READY');
    const second = (await post([web.url('/cached?utm_source=x')])).links[0]!;
    const update = await finalOf(second.id);
    expect(update.link.metadata.title).toBe('The & Page');
    expect(web.hits.get('/cached')).toBe(1);
  });

  it('refetches on refreshLinkMetadata, for the author only, one fetch at a time', async () => {
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    web.routes.set('/refresh', sequence(html(PAGE), async (req, res) => {
      await gate;
      html(PAGE.replace('The  &amp; Page', 'Updated'))(req, res);
    }));
    const link = (await post([web.url('/refresh')])).links[0]!;
    await finalOf(link.id);
    const bob = await signUp(app, 'bob');
    const REFRESH = 'mutation($id: ID!) { refreshLinkMetadata(linkId: $id) { id status } }';
    expect(codeOf(await gql(app, REFRESH, { id: link.id }, bob.token))).toBe('FORBIDDEN');
    const before = eventsFor(link.id).length;
    const refreshed = await ok(app, REFRESH, { id: link.id }, alice.token);
    expect(refreshed.refreshLinkMetadata.status).toBe('PENDING');
    await ok(app, REFRESH, { id: link.id }, alice.token);
    await ok(app, REFRESH, { id: link.id }, alice.token);
    release();
    const deadline = Date.now() + 15_000;
    while (eventsFor(link.id).length === before) await updates.waitFor(updates.results.length + 1, deadline - Date.now());
    expect(eventsFor(link.id).at(-1).linkMetadataUpdated.link.metadata.title).toBe('Updated');
    expect(web.maxConcurrent.get('/refresh')).toBe(1);
  });
});
