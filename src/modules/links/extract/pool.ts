import { Piscina } from 'piscina';
import { extractPage } from './page.ts';
import { WARM_UP_PAGE, WARM_UP_ROUNDS, WARM_UP_URL } from './warm-up.ts';

/** A page's extraction from its bytes and Content-Type (page.ts). */
export type Extract = (body: Buffer, contentType: string, url: URL) => ReturnType<typeof extractPage>;

export interface ExtractionPool {
  extract: Extract;
  close(): Promise<void>;
}

/**
 * Page extraction (decoding, and parsing a page of ~100 kB: ~15 ms of CPU) in a pool
 * of `threads` worker threads, so the event loop that serves subscribers and
 * fetches pages stays free. 0 threads: in this thread. The threads load
 * worker.ts with Node's own type stripping, as the process does, and read
 * a warm-up page at once.
 */
export function createExtractionPool(threads: number): ExtractionPool {
  if (threads === 0) return { extract: extractPage, close: async () => {} };
  const pool = new Piscina({
    filename: new URL('./worker.ts', import.meta.url).href,
    minThreads: threads,
    maxThreads: threads,
    // Pages wait their turn in the pool's queue; at most LINK_WORKERS of them (the jobs running) at a time.
  });
  // Each thread loads the parser and compiles its hot paths now, not on the first post's link.
  const warmUp = Buffer.from(WARM_UP_PAGE);
  for (let i = 0; i < threads * WARM_UP_ROUNDS; i++) pool.run({ body: warmUp, contentType: 'text/html', url: WARM_UP_URL }).catch(() => {});
  return {
    // The body is copied to the thread (a memcpy): decoding and scanning it there is what the event loop is spared.
    extract: (body, contentType, url) => pool.run({ body, contentType, url: url.href }) as ReturnType<Extract>,
    close: () => pool.destroy(),
  };
}
