import { Piscina } from 'piscina';
import { buildPreview } from '../preview.ts';
import type { LinkMetadataJson } from '../tables.ts';
import { fromOutcome, type PreviewOutcome } from './outcome.ts';
import { type PreviewSettings, previewDeps } from './setup.ts';

/** A link's preview (preview.ts): its metadata, or a BlockedUrlError or FetchError. */
export type Preview = (url: string) => Promise<LinkMetadataJson>;

export interface PreviewPool {
  preview: Preview;
  close(): Promise<void>;
}

/**
 * Link previews built in a pool of `threads` worker threads: the page's
 * fetch, its decoding and parsing (~5 ms of CPU for a page of ~250 kB), the
 * oEmbed and icon follow-ups, so the event loop that serves subscribers only
 * hands over a URL and gets the preview back. Each thread runs up to
 * `concurrency` previews at once (most of a preview is waiting on the
 * network). 0 threads: in this thread.
 */
export function createPreviewPool(settings: PreviewSettings, threads: number, concurrency: number): PreviewPool {
  if (threads === 0) {
    const deps = previewDeps(settings);
    return { preview: (url) => buildPreview(deps, url), close: () => deps.close() };
  }
  const pool = new Piscina({
    filename: new URL('./thread.ts', import.meta.url).href,
    minThreads: threads,
    maxThreads: threads,
    concurrentTasksPerWorker: concurrency,
    // A thread waits for its next task on its event loop, not frozen in Atomics.wait: its kept-alive
    // connections, their close and its fetches' deadlines go on between tasks.
    atomics: 'disabled',
    workerData: settings,
  });
  return {
    preview: async (url) => fromOutcome((await pool.run({ url })) as PreviewOutcome),
    close: () => pool.destroy(),
  };
}
