import { workerData } from 'piscina';
import { extractPage } from '../extract/page.ts';
import { WARM_UP_PAGE, WARM_UP_ROUNDS, WARM_UP_URL } from '../extract/warm-up.ts';
import { buildPreview } from '../preview.ts';
import { outcomeOf } from './outcome.ts';
import { type PreviewSettings, previewDeps } from './setup.ts';

/**
 * A worker thread of the preview pool (pool.ts): fetches a link's page, its
 * oEmbed and its icon, and extracts the preview, off the event loop that
 * serves subscribers. Its fetcher is its own, under the same URL policy.
 */
const deps = previewDeps(workerData as PreviewSettings);

// The parser loaded and its hot paths compiled now, not on the first post's link.
const warmUp = Buffer.from(WARM_UP_PAGE);
for (let i = 0; i < WARM_UP_ROUNDS; i++) extractPage(warmUp, 'text/html', new URL(WARM_UP_URL));

export default function preview({ url }: { url: string }) {
  return outcomeOf(buildPreview(deps, url));
}
