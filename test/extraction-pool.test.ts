import { afterAll, describe, expect, it } from 'vitest';
import { extractMetadata } from '../src/modules/links/extract/metadata.ts';
import { createExtractionPool } from '../src/modules/links/extract/pool.ts';

const page = `<!doctype html><html lang="en"><head><title>Fallback title</title>
<meta property="og:title" content="A page in a thread"><meta property="og:description" content="Parsed off the event loop">
<meta property="og:image" content="/cover.png"><meta property="og:site_name" content="Threads">
<script type="application/ld+json">{"@type":"NewsArticle","headline":"A page in a thread","author":{"name":"Ada"}}</script>
</head><body><p>hello</p></body></html>`;

describe('the extraction pool', () => {
  const pool = createExtractionPool(2);
  afterAll(() => pool.close());

  it('extracts in worker threads exactly what the main thread extracts', async () => {
    const url = new URL('https://example.com/a/page');
    const [inPool, inThread] = await Promise.all([pool.extract(Buffer.from(page), 'text/html; charset=utf-8', url), extractMetadata(page, url)]);
    expect(inPool).toEqual(inThread);
    expect(inPool.metadata.title).toBe('A page in a thread');
    expect(inPool.metadata.image).toBe('https://example.com/cover.png');
  });

  it('decodes a page by its charset in the thread: bytes in, text out', async () => {
    const html = '<html><head><meta charset="windows-1252"><meta property="og:title" content="Caf\u00e9 cr\u00e8me"></head></html>';
    const body = Buffer.from(html, 'latin1');
    expect(body.includes(Buffer.from('é'))).toBe(false);
    const [declared, sniffed] = await Promise.all([
      pool.extract(body, 'text/html; charset=windows-1252', new URL('https://example.com/')),
      pool.extract(body, 'text/html', new URL('https://example.com/')),
    ]);
    expect(declared.metadata.title).toBe('Café crème');
    expect(sniffed.metadata.title).toBe('Café crème');
  });

  it('runs many pages at once, each answered with its own', async () => {
    const pages = Array.from({ length: 20 }, (_, i) => page.replace('A page in a thread', `Page ${i}`));
    const results = await Promise.all(pages.map((html) => pool.extract(Buffer.from(html), 'text/html', new URL('https://example.com/'))));
    expect(results.map((r) => r.metadata.title)).toEqual(pages.map((_, i) => `Page ${i}`));
  });
});
