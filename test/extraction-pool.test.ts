import { afterAll, describe, expect, it, vi } from 'vitest';
import { extractMetadata } from '../src/modules/links/extract/metadata.ts';
import { createExtractionPool } from '../src/modules/links/extract/pool.ts';

const page = `<!doctype html><html lang="en"><head><title>Fallback title</title>
<meta property="og:title" content="A page in a thread"><meta property="og:description" content="Parsed off the event loop">
<meta property="og:image" content="/cover.png"><meta property="og:site_name" content="Threads">
<script type="application/ld+json">{"@type":"NewsArticle","headline":"A page in a thread","author":{"name":"Ada"}}</script>
</head><body><p>hello</p></body></html>`;

describe('the extraction pool', () => {
  const pool = createExtractionPool({ threads: 2 });
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

describe('a page that takes too long to read', () => {
  // ~256 kB of meta tags: the most a page may hand the parser, ~100 ms of it; far past a 20 ms deadline.
  const slow = `<html><head>${'<meta property="og:title" content="again and again">'.repeat(6_000)}</head><body></body></html>`;
  const pool = createExtractionPool({ threads: 1, deadlineMs: 20 });
  afterAll(() => pool.close());

  it('fails TOO_SLOW, and its thread is replaced: the next page is read', async () => {
    await expect(pool.extract(Buffer.from(slow), 'text/html', new URL('https://example.com/'))).rejects.toMatchObject({
      kind: 'permanent',
      category: 'TOO_SLOW',
    });
    // The new thread loads the parser first (past 20 ms itself): asked again until it answers.
    await vi.waitFor(async () => expect((await pool.extract(Buffer.from(page), 'text/html', new URL('https://example.com/'))).metadata.title).toBe('A page in a thread'), {
      timeout: 15_000,
      interval: 50,
    });
  });
});
