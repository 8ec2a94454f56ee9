import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../src/app.ts';
import { LINK_ERRORS } from '../src/modules/links/fetch/fetch-errors.ts';
import { redisAvailable } from './helpers/app.ts';
import { startBystander, startProductionApp } from './helpers/attack.ts';
import { createPost, createSection, gql, localIdOf, signUp, type TestUser } from './helpers/http.ts';
import { type Subscription, watchLinks } from './helpers/subscriptions.ts';
import { FakeWeb, html, portEightyCanary } from './helpers/web.ts';
import { ATTACK_PAGES, trickle } from '../bench/lib/attacks-exhaustion.ts';

const UPDATES = /* GraphQL */ `
  subscription($id: ID!) {
    linkMetadataUpdated(sectionId: $id) { linkId link { id url status error errorMessage metadata { title image url siteName } } }
  }
`;

const ORDINARY = `<!doctype html><html><head><title>An ordinary page</title>
  <meta property="og:title" content="An ordinary page"><meta property="og:description" content="Nothing odd here.">
</head><body><p>hello</p></body></html>`;

/** Four 240 kB URLs in the head: each would have been stored, and sent with every answer holding the link. */
const longUrl = (name: string) => `https://cdn.example/${name}?${'x'.repeat(240_000)}`;
const LONG_URLS = `<html><head><title>Long URLs</title><meta property="og:title" content="Long URLs">
  <meta property="og:image" content="${longUrl('image.png')}"><meta property="og:url" content="${longUrl('page')}">
  <meta name="twitter:image" content="${longUrl('t.png')}"><link rel="icon" href="${longUrl('icon.png')}">
</head><body></body></html>`;

describe.skipIf(!redisAvailable())('links an attacker posts (production mode)', () => {
  let web: FakeWeb;
  let canary: Awaited<ReturnType<typeof portEightyCanary>>;
  let app: App;
  let user: TestUser;
  let sectionId: string;
  let updates: Subscription;
  let dispose: () => Promise<void>;
  let bystander: Awaited<ReturnType<typeof startBystander>>;

  const finalOf = async (linkId: string, timeoutMs = 15_000) => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = updates.results.find((r) => r.linkMetadataUpdated.linkId === linkId);
      if (found) return found.linkMetadataUpdated.link;
      await updates.waitFor(updates.results.length + 1, Math.max(1, deadline - Date.now()));
    }
  };

  beforeAll(async () => {
    web = await new FakeWeb().start();
    web.routes.set('/ordinary', html(ORDINARY));
    // The same crafted pages the bench's attacker serves.
    web.routes.set('/openers', html(ATTACK_PAGES['/openers'].toString()));
    web.routes.set('/trickle', (_req, res) => trickle(res));
    web.routes.set('/long-urls', html(LONG_URLS));
    // A request reaching it means the allow-list let another port of an allowed host through.
    canary = await portEightyCanary();
    app = await startProductionApp({
      RUN_WORKERS: 'true',
      JOB_POLL_SECONDS: '0.5',
      // The fake web on its port only (an allowed host's other ports stay checked), by address and by name.
      LINK_FETCH_ALLOW_HOSTS: `127.0.0.1:${web.port},localhost:${web.port}`,
      LINK_RETRY_LIMIT: '0',
      LINK_FETCH_TIMEOUT_MS: '5000',
    });
    user = await signUp(app, 'linker');
    sectionId = (await createSection(app, user)).id;
    const watched = await watchLinks(app, user.token, sectionId, UPDATES);
    updates = watched.updates;
    dispose = async () => void (await watched.client.dispose());
    bystander = await startBystander(app);
  });
  afterAll(async () => {
    updates?.dispose();
    await dispose?.();
    await bystander?.stop();
    await app?.stop();
    await web?.stop();
    await canary?.close();
  });

  it('20 pages built to be slow to read do not hold an ordinary preview back', async () => {
    const crafted = [
      ...Array.from({ length: 10 }, (_, i) => web.url(`/openers?${i}`)),
      ...Array.from({ length: 10 }, (_, i) => web.url(`/trickle?${i}`)),
    ];
    const posts = await Promise.all(Array.from({ length: 2 }, (_, i) => createPost(app, user, sectionId, `crafted ${i}`, crafted.slice(i * 10, i * 10 + 10))));
    const ordinary = await createPost(app, user, sectionId, 'ordinary', [web.url('/ordinary')]);
    // It took 25 s behind such pages; a quiet preview takes milliseconds.
    expect(await finalOf(ordinary.links[0]!.id, 8_000)).toMatchObject({ status: 'READY', metadata: { title: 'An ordinary page' } });
    await bystander.check();
    for (const link of posts.flatMap((p) => p.links)) expect(['READY', 'FAILED']).toContain((await finalOf(link.id, 30_000)).status);
  }, 60_000);

  it('stores no URL longer than 2,048 characters, and no preview past 16 kB', async () => {
    const post = await createPost(app, user, sectionId, 'long urls', [web.url('/long-urls')]);
    const link = await finalOf(post.links[0]!.id);
    expect(link).toMatchObject({ status: 'READY', metadata: { title: 'Long URLs', image: null } });
    const stored = await app.runtime.database.pool.query('select metadata::text as m from links where id = $1', [localIdOf(post.links[0]!.id)]);
    expect(stored.rows[0].m.length).toBeLessThan(16_384);
    const feed = await gql(app, 'query($id: ID!) { section(id: $id) { posts(first: 5) { edges { node { links { metadata { title image url } } } } } } }', { id: sectionId }, user.token);
    expect(JSON.stringify(feed).length).toBeLessThan(100_000);
  });

  it('tells users a category, never an address: unresolvable names, private ones, an allowed host on another port', async () => {
    const urls = ['http://postgres/', 'http://no-such-host.invalid/', 'http://localhost/', `http://localhost:${web.port === 81 ? 82 : 81}/`];
    const post = await createPost(app, user, sectionId, 'internal names', urls);
    for (const { id, url } of post.links) {
      const link = await finalOf(id);
      expect(['BLOCKED', 'FAILED'], url).toContain(link.status);
      expect(Object.keys(LINK_ERRORS), url).toContain(link.error);
      expect(link.errorMessage).toBe(LINK_ERRORS[link.error as keyof typeof LINK_ERRORS]);
      expect(JSON.stringify(link), url).not.toMatch(/\d+\.\d+\.\d+\.\d+|::1|resolves|ENOTFOUND|EAI_AGAIN/);
    }
    // localhost is allowed on the fake web's port only: its port 80 is another host.
    expect((await finalOf(post.links[2]!.id)).status).toBe('BLOCKED');
    expect(canary.hits()).toBe(0);
    await bystander.check();
  });
});
