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
    const [inPool, inThread] = await Promise.all([pool.extract(page, url), extractMetadata(page, url)]);
    expect(inPool).toEqual(inThread);
    expect(inPool.metadata.title).toBe('A page in a thread');
    expect(inPool.metadata.image).toBe('https://example.com/cover.png');
  });

  it('runs many pages at once, each answered with its own', async () => {
    const pages = Array.from({ length: 20 }, (_, i) => page.replace('A page in a thread', `Page ${i}`));
    const results = await Promise.all(pages.map((html) => pool.extract(html, new URL('https://example.com/'))));
    expect(results.map((r) => r.metadata.title)).toEqual(pages.map((_, i) => `Page ${i}`));
  });
});
