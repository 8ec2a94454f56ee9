import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { linkBed } from './helpers/link-bed.ts';
import { codeOf, createPost, createSection, gql, ok, signUp, type TestUser } from './helpers/http.ts';
import { type Subscription, watchLinks, wsClient } from './helpers/subscriptions.ts';
import { html, portEightyCanary, sequence } from './helpers/web.ts';

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

const bed = linkBed({
  env: {
    LINK_FETCH_TIMEOUT_MS: '1500',
    LINK_FETCH_MAX_BYTES: '200000',
    LINK_RETRY_LIMIT: '2',
    LINK_RETRY_DELAY_SECONDS: '1',
  },
});
let canary: Awaited<ReturnType<typeof portEightyCanary>>;
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
  return createPost(bed.app, alice, section.id, 'links', links);
}

beforeAll(async () => {
  canary = await portEightyCanary();
  alice = await signUp(bed.app, 'alice');
  section = await createSection(bed.app, alice);
  ({ client, updates } = await watchLinks(bed.app, alice.token, section.id, UPDATES));
});

afterAll(async () => {
  updates?.dispose();
  await client?.dispose();
  await canary?.close();
});

describe('link previews', () => {
  it('delivers READY with the page’s metadata and its oEmbed to the section’s subscribers (no markup from an unknown provider)', async () => {
    bed.web.routes.set('/article', html(PAGE));
    bed.web.routes.set('/oembed.json', (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ type: 'video', provider_name: 'ExampleTube', html: '<iframe src="x"></iframe>', width: 640, height: 360 }));
    });
    const created = await post([bed.web.url('/article')]);
    const link = created.links[0]!;
    const update = await finalOf(link.id);
    expect(update).toMatchObject({ sectionId: section.id, postId: created.id, linkId: link.id });
    expect(update.link.status).toBe('READY');
    expect(update.link.error).toBeNull();
    expect(update.link.fetchedAt).toEqual(expect.any(String));
    expect(update.link.metadata).toMatchObject({
      title: 'The & Page',
      description: 'A page about things.',
      image: bed.web.url('/img/cover.png'),
      siteName: 'Example Site',
      // ExampleTube is not a provider known to serve a plain iframe: its markup is not passed on.
      embed: { type: 'video', provider: 'ExampleTube', html: null, width: 640, height: 360 },
    });
    // What was announced is what is stored, field for field (the event's JSON is built by the final write's statement).
    const stored = await ok(
      bed.app,
      'query($id: ID!) { node(id: $id) { ... on Link { id url status error fetchedAt metadata { title description image siteName url type embed { type provider url html width height } } } } }',
      { id: link.id },
      alice.token,
    );
    expect(stored.node).toEqual(update.link);
    expect(stored.node.metadata.title).toBe('The & Page');
  });

  it('previews a direct image URL as an image', async () => {
    bed.web.routes.set('/photo.jpg', (_req, res) => {
      res.writeHead(200, { 'content-type': 'image/jpeg' });
      res.end(Buffer.alloc(64));
    });
    const link = (await post([bed.web.url('/photo.jpg')])).links[0]!;
    const update = await finalOf(link.id);
    expect(update.link.status).toBe('READY');
    expect(update.link.metadata).toMatchObject({ type: 'image', image: bed.web.url('/photo.jpg') });
  });

  it('blocks private and internal targets before any byte reaches them', async () => {
    bed.web.routes.set('/to-private', (_req, res) => {
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
      bed.web.url('/to-private'),
    ];
    const created = await post(vectors);
    for (const link of created.links) {
      const update = await finalOf(link.id);
      expect(update.link.status, link.url).toBe('BLOCKED');
      expect(update.link.error, link.url).toBe('BLOCKED');
    }
    expect(canary.listening).toBe(true);
    expect(canary.hits()).toBe(0);
  });

  it('retries 503, 503 then 200 and announces READY once', async () => {
    bed.web.routes.set('/flaky', sequence(html('down', 503), html('down', 503), html(PAGE)));
    const link = (await post([bed.web.url('/flaky')])).links[0]!;
    const update = await finalOf(link.id, 20_000);
    expect(update.link.status).toBe('READY');
    expect(bed.web.hits.get('/flaky')).toBe(3);
    // A later event for another link proves no second one for this link came in between.
    bed.web.routes.set('/sentinel-1', html(PAGE));
    const sentinel = (await post([bed.web.url('/sentinel-1')])).links[0]!;
    await finalOf(sentinel.id);
    expect(eventsFor(link.id)).toHaveLength(1);
  });

  it('fails a 404 at once, without retrying', async () => {
    const link = (await post([bed.web.url('/missing')])).links[0]!;
    const update = await finalOf(link.id);
    expect(update.link).toMatchObject({ status: 'FAILED', error: 'HTTP_ERROR' });
    expect(bed.web.hits.get('/missing')).toBe(1);
  });

  it('honours Retry-After on 429', async () => {
    bed.web.routes.set('/busy', sequence(html('slow down', 429, { 'retry-after': '1' }), html(PAGE)));
    const link = (await post([bed.web.url('/busy')])).links[0]!;
    expect((await finalOf(link.id)).link.status).toBe('READY');
    expect(bed.web.hits.get('/busy')).toBe(2);
  });

  it('ends a page that never finishes, one that drips, a huge one, non-HTML and a redirect loop FAILED, and keeps serving', async () => {
    bed.web.routes.set('/hang', (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.write('<html><head>');
    });
    bed.web.routes.set('/drip', (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      const timer = setInterval(() => res.write(' '), 100);
      res.once('close', () => clearInterval(timer));
    });
    bed.web.routes.set('/huge', (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html', 'content-length': String(50 * 1024 * 1024) });
      res.write('<html>');
    });
    bed.web.routes.set('/huge-chunked', (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end(`<html><body>${'x'.repeat(300_000)}</body></html>`);
    });
    bed.web.routes.set('/doc.pdf', (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/pdf' });
      res.end('%PDF-1.4');
    });
    bed.web.routes.set('/loop', (_req, res) => {
      res.writeHead(302, { location: '/loop' });
      res.end();
    });
    bed.web.routes.set('/fine', html(PAGE));
    const created = await post(['/hang', '/drip', '/huge', '/huge-chunked', '/doc.pdf', '/loop', '/fine'].map((p) => bed.web.url(p)));
    const [hang, drip, huge, chunked, pdf, loop, fine] = created.links;
    expect((await finalOf(fine!.id)).link.status).toBe('READY');
    expect((await finalOf(huge!.id)).link.error).toBe('TOO_LARGE');
    expect((await finalOf(chunked!.id)).link.error).toBe('TOO_LARGE');
    expect((await finalOf(pdf!.id)).link.error).toBe('NOT_HTML');
    expect((await finalOf(loop!.id)).link.error).toBe('REDIRECTS');
    expect((await finalOf(hang!.id, 25_000)).link).toMatchObject({ status: 'FAILED', error: 'TIMEOUT' });
    expect((await finalOf(drip!.id, 25_000)).link).toMatchObject({ status: 'FAILED', error: 'TIMEOUT' });
    // Timeouts are transient: tried 1 + 2 retries.
    expect(bed.web.hits.get('/hang')).toBe(3);
  }, 60_000);

  it('reuses a cached preview of the same page without fetching it', async () => {
    bed.web.routes.set('/cached', html(PAGE));
    const first = (await post([bed.web.url('/cached#one')])).links[0]!;
    expect((await finalOf(first.id)).link.status).toBe('READY');
    const second = (await post([bed.web.url('/cached?utm_source=x')])).links[0]!;
    const update = await finalOf(second.id);
    expect(update.link.metadata.title).toBe('The & Page');
    expect(bed.web.hits.get('/cached')).toBe(1);
  });

  it('refetches on refreshLinkMetadata, for the author only, one fetch at a time', async () => {
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    bed.web.routes.set('/refresh', sequence(html(PAGE), async (req, res) => {
      await gate;
      html(PAGE.replace('The  &amp; Page', 'Updated'))(req, res);
    }));
    const link = (await post([bed.web.url('/refresh')])).links[0]!;
    await finalOf(link.id);
    const bob = await signUp(bed.app, 'bob');
    const REFRESH = 'mutation($id: ID!) { refreshLinkMetadata(linkId: $id) { id status } }';
    expect(codeOf(await gql(bed.app, REFRESH, { id: link.id }, bob.token))).toBe('FORBIDDEN');
    const before = eventsFor(link.id).length;
    const refreshed = await ok(bed.app, REFRESH, { id: link.id }, alice.token);
    expect(refreshed.refreshLinkMetadata.status).toBe('PENDING');
    await ok(bed.app, REFRESH, { id: link.id }, alice.token);
    await ok(bed.app, REFRESH, { id: link.id }, alice.token);
    release();
    const deadline = Date.now() + 15_000;
    while (eventsFor(link.id).length === before) await updates.waitFor(updates.results.length + 1, deadline - Date.now());
    expect(eventsFor(link.id).at(-1).linkMetadataUpdated.link.metadata.title).toBe('Updated');
    expect(bed.web.maxConcurrent.get('/refresh')).toBe(1);
  });
});
