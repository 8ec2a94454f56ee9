import { Piscina } from 'piscina';
import { FetchError } from '../fetch/fetch-errors.ts';
import type { extractPage } from './page.ts';
import { WARM_UP_PAGE, WARM_UP_ROUNDS, WARM_UP_URL } from './warm-up.ts';

/** A page's extraction from its bytes and Content-Type (page.ts). */
export type Extract = (body: Buffer, contentType: string, url: URL) => ReturnType<typeof extractPage>;

/**
 * Extraction in this thread, its parser loaded on first use: a process whose pages are parsed in threads (or
 * that runs no workers) never holds it.
 */
export const extractHere: Extract = async (body, contentType, url) => (await import('./page.ts')).extractPage(body, contentType, url);

export interface ExtractionPool {
  extract: Extract;
  close(): Promise<void>;
}

export interface ExtractionPoolOptions {
  /** Worker threads; 0 extracts in this thread (with no deadline: nothing can stop a synchronous parse). */
  threads: number;
  /**
   * How long one page may take from being handed to the pool, its wait for a
   * thread included; past it the thread is stopped (and replaced) and the
   * page fails TOO_SLOW. Default 3 s; an ordinary page takes ~5 ms.
   */
  deadlineMs?: number;
  /** Pages that may wait for a thread; one more fails at once, to be retried. Default 64. */
  maxQueue?: number;
  /** Told what the pool itself reports (a thread's answer to a task already given up on). */
  onError?: (err: Error) => void;
}

/**
 * Page extraction (decoding, and parsing a page of ~100 kB: ~5 ms of CPU) in a pool
 * of worker threads, so the event loop that serves subscribers and
 * fetches pages stays free. The threads load worker.ts with Node's own type
 * stripping, as the process does, and read a warm-up page at once. A page
 * built to be slow to parse (the HTML parser is quadratic in how deeply
 * elements nest) cannot hold a thread past the deadline, nor can pages pile
 * up behind it past the queue's bound.
 */
export function createExtractionPool({ threads, deadlineMs = 3_000, maxQueue = 64, onError }: ExtractionPoolOptions): ExtractionPool {
  if (threads === 0) return { extract: extractHere, close: async () => {} };
  const pool = new Piscina({
    filename: new URL('./worker.ts', import.meta.url).href,
    minThreads: threads,
    maxThreads: threads,
    maxQueue,
  });
  // A thread stopped at a deadline may still have posted an answer; piscina reports it as an 'error' event, which
  // would end the process if nobody listened.
  pool.on('error', (err: Error) => onError?.(err));
  // Each thread compiles the parser's hot paths when it starts, not on the first post's link: the first threads,
  // and each one that replaces a thread stopped at a deadline (a cold first page costs ~15 ms, past a short deadline).
  const warmUp = Buffer.from(WARM_UP_PAGE);
  pool.on('workerCreate', () => {
    for (let i = 0; i < WARM_UP_ROUNDS; i++) pool.run({ body: warmUp, contentType: 'text/html', url: WARM_UP_URL }).catch(() => {});
  });
  return {
    // The body is copied to the thread (a memcpy): decoding and scanning it there is what the event loop is spared.
    extract: async (body, contentType, url) => {
      const signal = AbortSignal.timeout(deadlineMs);
      try {
        return (await pool.run({ body, contentType, url: url.href }, { signal })) as Awaited<ReturnType<Extract>>;
      } catch (err) {
        if (signal.aborted) throw new FetchError('permanent', 'TOO_SLOW', `extraction took longer than ${deadlineMs} ms`);
        if (pool.queueSize >= maxQueue) throw new FetchError('transient', 'UNEXPECTED', 'the extraction queue is full');
        throw err;
      }
    },
    close: () => pool.destroy(),
  };
}
