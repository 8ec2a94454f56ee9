import { Piscina } from 'piscina';
import { extractMetadata } from './metadata.ts';
import { WARM_UP_PAGE, WARM_UP_ROUNDS, WARM_UP_URL } from './warm-up.ts';

export type Extract = (html: string, url: URL) => ReturnType<typeof extractMetadata>;

export interface ExtractionPool {
  extract: Extract;
  close(): Promise<void>;
}

/**
 * Page extraction (parsing a page of ~100 kB takes ~15 ms of CPU) in a pool
 * of `threads` worker threads, so the event loop that serves subscribers and
 * fetches pages stays free. 0 threads: in this thread. The threads load
 * worker.ts with Node's own type stripping, as the process does, and read
 * a warm-up page at once.
 */
export function createExtractionPool(threads: number): ExtractionPool {
  if (threads === 0) return { extract: extractMetadata, close: async () => {} };
  const pool = new Piscina({
    filename: new URL('./worker.ts', import.meta.url).href,
    minThreads: threads,
    maxThreads: threads,
    // Pages wait their turn in the pool's queue; at most LINK_WORKERS of them (the jobs running) at a time.
  });
  // Each thread loads the parser and compiles its hot paths now, not on the first post's link.
  for (let i = 0; i < threads * WARM_UP_ROUNDS; i++) pool.run({ html: WARM_UP_PAGE, url: WARM_UP_URL }).catch(() => {});
  return {
    extract: (html, url) => pool.run({ html, url: url.href }) as ReturnType<Extract>,
    close: () => pool.destroy(),
  };
}
