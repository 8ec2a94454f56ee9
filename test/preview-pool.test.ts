import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FetchError } from '../src/modules/links/fetch-errors.ts';
import { buildPreview } from '../src/modules/links/preview.ts';
import { createPreviewPool } from '../src/modules/links/previews/pool.ts';
import { previewDeps } from '../src/modules/links/previews/setup.ts';
import { BlockedUrlError } from '../src/modules/links/url-policy.ts';
import { FakeWeb, html } from './helpers/web.ts';

const page = `<!doctype html><html lang="en"><head><title>Fallback title</title>
<meta property="og:title" content="A page in a thread"><meta property="og:description" content="Fetched and parsed off the event loop">
<meta property="og:image" content="/cover.png"><meta property="og:site_name" content="Threads">
<link rel="icon" href="/favicon.png">
<script type="application/ld+json">{"@type":"NewsArticle","headline":"A page in a thread","author":{"name":"Ada"}}</script>
</head><body><p>hello</p></body></html>`;

describe('the preview pool', () => {
  let web: FakeWeb;
  let settings: Parameters<typeof createPreviewPool>[0];
  let pool: ReturnType<typeof createPreviewPool>;
  beforeAll(async () => {
    web = await new FakeWeb().start();
    settings = { allowHosts: [`127.0.0.1:${web.port}`], timeoutMs: 5_000, maxBytes: 500_000, userAgent: 'PlazaTest', oembedProvidersFile: undefined };
    pool = createPreviewPool(settings, 2, 8);
    web.routes.set('/page', html(page));
    web.routes.set('/latin1', (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html; charset=windows-1252' });
      res.end(Buffer.from('<html><head><meta property="og:title" content="Caf\u00e9 cr\u00e8me"></head></html>', 'latin1'));
    });
    web.routes.set('/busy', html('busy', 503, { 'retry-after': '7' }));
    web.routes.set('/favicon.png', (_req, res) => {
      res.writeHead(200, { 'content-type': 'image/png' });
      res.end(Buffer.alloc(10));
    });
    for (let i = 0; i < 20; i++) web.routes.set(`/many/${i}`, html(page.replace('A page in a thread', `Page ${i}`)));
  });
  afterAll(async () => {
    await pool?.close();
    await web?.stop();
  });

  it('builds in its threads exactly the preview this thread builds', async () => {
    const here = previewDeps(settings);
    try {
      const [inPool, inThread] = await Promise.all([pool.preview(web.url('/page')), buildPreview(here, web.url('/page'))]);
      expect(inPool).toEqual(inThread);
      expect(inPool).toMatchObject({ title: 'A page in a thread', image: web.url('/cover.png'), author: 'Ada', icon: web.url('/favicon.png') });
    } finally {
      await here.close();
    }
    // The page was fetched twice, once per side: the pool's threads fetch on their own.
    expect(web.hits.get('/page')).toBe(2);
  });

  it('decodes a page by its charset in the thread: bytes in, text out', async () => {
    expect((await pool.preview(web.url('/latin1'))).title).toBe('Café crème');
  });

  it('hands back a blocked URL and a failed fetch as the errors that decide the link’s fate', async () => {
    // A private address outside the allow list: refused before any byte is sent.
    const blocked = await pool.preview('http://127.0.0.1:9/secret').catch((err: unknown) => err);
    expect(blocked).toBeInstanceOf(BlockedUrlError);
    const missing = await pool.preview(web.url('/nowhere')).catch((err: unknown) => err);
    expect(missing).toBeInstanceOf(FetchError);
    expect(missing).toMatchObject({ kind: 'permanent', message: 'HTTP 404' });
    const busy = await pool.preview(web.url('/busy')).catch((err: unknown) => err);
    expect(busy).toMatchObject({ kind: 'transient', message: 'HTTP 503', retryAfterSeconds: 7 });
    expect(busy).toBeInstanceOf(FetchError);
  });

  it('keeps a thread’s connections alive between tasks: one the site closed meanwhile is not reused', async () => {
    // A short answer (read whole) leaves its connection kept alive in the thread's fetcher.
    const site = createServer((_req, res) => {
      res.writeHead(503, { 'content-type': 'text/plain' });
      res.end('down');
    });
    site.keepAliveTimeout = 50;
    const closed: Array<Promise<void>> = [];
    site.on('connection', (socket) => closed.push(new Promise((resolve) => socket.once('close', () => resolve()))));
    await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve));
    const port = (site.address() as AddressInfo).port;
    const own = createPreviewPool({ ...settings, allowHosts: [`127.0.0.1:${port}`] }, 1, 4);
    try {
      for (let round = 0; round < 4; round++) {
        const err = await own.preview(`http://127.0.0.1:${port}/${round}`).catch((e: unknown) => e);
        // The site's own answer every time, never a connection that was already gone ("network error UND_ERR_SOCKET").
        expect(err).toMatchObject({ kind: 'transient', message: 'HTTP 503' });
        // The site drops the idle connection while the thread has nothing to do.
        await Promise.all(closed);
      }
    } finally {
      await own.close();
      await new Promise((resolve) => site.close(resolve));
    }
  });

  it('runs many previews at once, each answered with its own', async () => {
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => pool.preview(web.url(`/many/${i}`))));
    expect(results.map((r) => r.title)).toEqual(Array.from({ length: 20 }, (_, i) => `Page ${i}`));
  });
});
