import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { linkBed } from './helpers/link-bed.ts';
import { createPost, createSection, signUp, type TestUser } from './helpers/http.ts';
import { type Subscription, watchLinks, wsClient } from './helpers/subscriptions.ts';
import { FakeWeb, html } from './helpers/web.ts';

/**
 * Rich previews through the whole pipeline: author, dates, language, icon and
 * image size; provider embeds from the oEmbed registry (a local provider
 * stand-in); one fetch per page however many posts link it; a per-host limit;
 * and every follow-up fetch (oEmbed, manifest, favicon) held to the URL policy.
 */
const UPDATES = /* GraphQL */ `
  subscription($id: ID!) {
    linkMetadataUpdated(sectionId: $id) {
      linkId
      link {
        url status error
        metadata {
          title siteName author publishedAt modifiedAt lang icon image imageWidth imageHeight type
          embed { type provider url html width height }
        }
      }
    }
  }
`;

/** A second site: another host for the per-host limit. */
let other: FakeWeb;
let canary: Server;
let canaryHits = 0;
const bed = linkBed({
  // Fetches here are held open until a test says so (50 posts going in on a loaded CI runner can take seconds): the
  // deadline is far enough that a held fetch is never cut off and retried, which would count as a second fetch.
  env: { LINK_FETCH_TIMEOUT_MS: '20000', LINK_FETCH_PER_HOST: '2', LINK_WORKERS: '8', LINK_RETRY_LIMIT: '1', RATE_LIMIT_MULTIPLIER: '10' },
  prepare: async (web) => {
    other = await new FakeWeb().start();
    // Anything reaching the canary came through a follow-up the URL policy should have refused (its port is not allowed).
    canary = createServer((_req, res) => {
      canaryHits += 1;
      res.end('{}');
    });
    await new Promise<void>((resolve) => canary.listen(0, '127.0.0.1', resolve));
    const providers = join(mkdtempSync(join(tmpdir(), 'plaza-oembed-')), 'providers.json');
    writeFileSync(
      providers,
      JSON.stringify([
        {
          provider_name: 'LocalTube',
          endpoints: [{ schemes: [`http://127.0.0.1:${web.port}/watch/*`], url: `http://127.0.0.1:${web.port}/oembed.{format}` }],
          iframe: true,
        },
        {
          provider_name: 'LocalPosts',
          endpoints: [{ schemes: [`http://127.0.0.1:${web.port}/status/*`], url: `http://127.0.0.1:${web.port}/oembed-posts` }],
        },
      ]),
    );
    return { LINK_FETCH_ALLOW_HOSTS: `127.0.0.1:${web.port},127.0.0.1:${other.port}`, LINK_OEMBED_PROVIDERS: providers };
  },
});
let alice: TestUser;
let section: { id: string };
let client: ReturnType<typeof wsClient>['client'];
let updates: Subscription;

async function finalOf(linkId: string, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = updates.results.find((r) => r.linkMetadataUpdated.linkId === linkId);
    if (found) return found.linkMetadataUpdated.link;
    await updates.waitFor(updates.results.length + 1, Math.max(1, deadline - Date.now()));
  }
}

const post = (links: string[], user = alice) => createPost(bed.app, user, section.id, 'links', links);

beforeAll(async () => {
  alice = await signUp(bed.app, 'alice');
  section = await createSection(bed.app, alice);
  ({ client, updates } = await watchLinks(bed.app, alice.token, section.id, UPDATES));
});

afterAll(async () => {
  updates?.dispose();
  await client?.dispose();
  await other?.stop();
  await new Promise((resolve) => canary?.close(resolve));
});

describe('rich link previews', () => {
  it('reads author, dates, language, icon and image size', async () => {
    bed.web.routes.set(
      '/story',
      html(`<!doctype html><html lang="fr-CA"><head>
        <title>Le titre - Le Site</title>
        <meta property="og:title" content="Le titre">
        <meta property="og:site_name" content="Le Site">
        <meta property="og:image" content="/cover.jpg">
        <meta property="og:image:width" content="1200"><meta property="og:image:height" content="630">
        <link rel="icon" href="/favicon-32.png" sizes="32x32">
        <link rel="apple-touch-icon" href="/touch.png">
        <script type="application/ld+json">{"@type":"NewsArticle","headline":"Le titre",
          "author":{"@type":"Person","name":"By Jeanne Dupont"},
          "datePublished":"2024-03-01T08:00:00+01:00","dateModified":"2024-03-02T10:00:00Z"}</script>
      </head><body><p>Texte.</p></body></html>`),
    );
    const link = (await post([bed.web.url('/story')])).links[0]!;
    const final = await finalOf(link.id);
    expect(final.status).toBe('READY');
    expect(final.metadata).toMatchObject({
      title: 'Le titre',
      author: 'Jeanne Dupont',
      publishedAt: '2024-03-01T07:00:00.000Z',
      modifiedAt: '2024-03-02T10:00:00.000Z',
      lang: 'fr',
      icon: bed.web.url('/touch.png'),
      image: bed.web.url('/cover.jpg'),
      imageWidth: 1200,
      imageHeight: 630,
    });
  });

  it('takes the icon from the web bed.app manifest, else /favicon.ico when the site has one, else none', async () => {
    const page = (head: string) => html(`<html><head><meta property="og:title" content="T">${head}</head><body></body></html>`);
    bed.web.routes.set('/with-manifest', page('<link rel="manifest" href="/bed.app.webmanifest"><link rel="icon" href="/plain.ico">'));
    bed.web.routes.set('/bed.app.webmanifest', (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/manifest+json' });
      res.end(JSON.stringify({ icons: [{ src: '/i/192.png', sizes: '192x192' }, { src: '/i/512.png', sizes: '512x512' }] }));
    });
    bed.web.routes.set('/bare', page(''));
    bed.web.routes.set('/favicon.ico', (_req, res) => {
      res.writeHead(200, { 'content-type': 'image/x-icon' });
      res.end(Buffer.alloc(16));
    });
    other.routes.set('/bare', page(''));
    const links = (await post([bed.web.url('/with-manifest'), bed.web.url('/bare'), `http://127.0.0.1:${other.port}/bare`])).links;
    const [manifest, favicon, none] = await Promise.all(links.map((l) => finalOf(l.id)));
    expect(manifest.metadata.icon).toBe(bed.web.url('/i/512.png'));
    expect(favicon.metadata.icon).toBe(bed.web.url('/favicon.ico'));
    expect(none.status).toBe('READY');
    expect(none.metadata.icon).toBeNull();
  });

  it('embeds a registry provider’s player for a matching URL even when the page does not advertise it', async () => {
    const asked: string[] = [];
    bed.web.routes.set('/watch/abc', html('<html><head><title>Cats | LocalTube</title></head><body></body></html>'));
    bed.web.routes.set('/oembed.json', (req, res) => {
      asked.push(new URL(req.url!, 'http://x').searchParams.get('url') ?? '');
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          type: 'video',
          title: 'Cats',
          author_name: 'Cat Person',
          html: '<iframe src="https://player.example/abc" width="640" height="360"></iframe>',
          width: 640,
          height: 360,
        }),
      );
    });
    const link = (await post([bed.web.url('/watch/abc')])).links[0]!;
    const final = await finalOf(link.id);
    expect(asked).toEqual([bed.web.url('/watch/abc')]);
    expect(final.metadata).toMatchObject({
      title: 'Cats',
      author: 'Cat Person',
      embed: {
        type: 'video',
        provider: 'LocalTube',
        url: 'https://player.example/abc',
        html: '<iframe src="https://player.example/abc" width="640" height="360"></iframe>',
        width: 640,
        height: 360,
      },
    });
  });

  it('previews a provider URL from its oEmbed when the page itself cannot be read; no script markup from a non-iframe provider', async () => {
    bed.web.routes.set('/status/1', html('gone', 410));
    bed.web.routes.set('/oembed-posts', (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ type: 'rich', title: 'A post', author_name: 'Poster', html: '<blockquote>x</blockquote><script src="w.js"></script>' }));
    });
    const final = await finalOf((await post([bed.web.url('/status/1')])).links[0]!.id);
    expect(final.status).toBe('READY');
    expect(final.metadata).toMatchObject({ title: 'A post', author: 'Poster', siteName: 'LocalPosts', embed: { type: 'rich', html: null } });
  });

  it('previews a direct video or audio link as that media', async () => {
    const media = (type: string) => html(Buffer.alloc(1024).toString(), 200, { 'content-type': type });
    bed.web.routes.set('/clip.mp4', media('video/mp4'));
    bed.web.routes.set('/song.mp3', media('audio/mpeg'));
    const links = (await post([bed.web.url('/clip.mp4'), bed.web.url('/song.mp3')])).links;
    const [video, audio] = await Promise.all(links.map((l) => finalOf(l.id)));
    expect(video.metadata).toMatchObject({ type: 'video', title: 'clip.mp4', embed: { type: 'video', url: bed.web.url('/clip.mp4') } });
    expect(audio.metadata).toMatchObject({ type: 'audio', title: 'song.mp3', embed: { type: 'audio', url: bed.web.url('/song.mp3') } });
  });

  it('sends no follow-up (oEmbed, manifest) to an address the policy refuses', async () => {
    const refused = `http://127.0.0.1:${(canary.address() as AddressInfo).port}`;
    // A page whose oEmbed and manifest follow-ups point elsewhere.
    const pointingAt = (title: string, oembed: string, manifest: string) =>
      html(`<html><head><meta property="og:title" content="${title}">
        <link rel="alternate" type="application/json+oembed" href="${oembed}">
        <link rel="manifest" href="${manifest}">
      </head><body></body></html>`);
    bed.web.routes.set('/sneaky', pointingAt('Sneaky', `${refused}/oembed`, `${refused}/manifest.json`));
    bed.web.routes.set('/metadata-service', pointingAt('Cloud', 'http://169.254.169.254/latest/oembed', 'http://10.0.0.1/manifest.json'));
    const links = (await post([bed.web.url('/sneaky'), bed.web.url('/metadata-service')])).links;
    const finals = await Promise.all(links.map((l) => finalOf(l.id)));
    for (const final of finals) {
      expect(final.status).toBe('READY');
      expect(final.metadata.embed).toBeNull();
    }
    expect(canaryHits).toBe(0);
  });

  it('fetches a page linked by 50 posts at once one time, and finishes all 50 links with their events', async () => {
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    let fetched!: () => void;
    const fetching = new Promise<void>((resolve) => (fetched = resolve));
    bed.web.routes.set('/viral', (_req, res) => {
      fetched();
      // Held until every post is in: the fetch is under way while the other 49 jobs run.
      void released.then(() => html('<html><head><meta property="og:title" content="Viral"></head><body></body></html>')(_req, res));
    });
    const users = await Promise.all(Array.from({ length: 5 }, (_, i) => signUp(bed.app, `viral${i}`)));
    const posts = await Promise.all(Array.from({ length: 50 }, (_, i) => post([bed.web.url('/viral')], users[i % 5])));
    await fetching;
    release();
    const finals = await Promise.all(posts.map((p) => finalOf(p.links[0]!.id, 30_000)));
    expect(finals.every((f) => f.status === 'READY' && f.metadata.title === 'Viral')).toBe(true);
    expect(new Set(updates.results.filter((r) => posts.some((p) => p.links[0]!.id === r.linkMetadataUpdated.linkId)).map((r) => r.linkMetadataUpdated.linkId)).size).toBe(50);
    expect(bed.web.hits.get('/viral')).toBe(1);
  }, 60_000);

  it('runs at most LINK_FETCH_PER_HOST fetches of one host at once, and other sites’ links go on meanwhile', async () => {
    let active = 0;
    let most = 0;
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    let full!: () => void;
    const hostFull = new Promise<void>((resolve) => (full = resolve));
    for (let i = 0; i < 6; i++) {
      bed.web.routes.set(`/slow/${i}`, (req, res) => {
        active += 1;
        most = Math.max(most, active);
        if (active === 2) full();
        res.once('close', () => (active -= 1));
        void released.then(() => html(`<html><head><meta property="og:title" content="Slow ${i}"></head></html>`)(req, res));
      });
    }
    other.routes.set('/quick', html('<html><head><meta property="og:title" content="Quick"></head></html>'));
    const slow = (await post(Array.from({ length: 6 }, (_, i) => bed.web.url(`/slow/${i}`)))).links;
    await hostFull;
    const quick = (await post([`http://127.0.0.1:${other.port}/quick`])).links[0]!;
    // The other site's link is done while the slow site still holds its two fetches.
    expect((await finalOf(quick.id)).status).toBe('READY');
    expect(active).toBe(2);
    release();
    const finals = await Promise.all(slow.map((l) => finalOf(l.id, 30_000)));
    expect(finals.map((f) => f.status)).toEqual(Array(6).fill('READY'));
    expect(most).toBe(2);
  }, 60_000);
});
