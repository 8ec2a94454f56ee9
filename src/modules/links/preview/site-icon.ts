import { manifestIcon } from '../extract/icons.ts';
import type { SafeFetch } from '../fetch/safe-fetch.ts';

/**
 * The site's icon once the page is read: the largest icon of its web app
 * manifest when the page declares no sized icon, else what the page declares,
 * else `/favicon.ico` when the site serves one. Every follow-up goes through
 * the safe fetcher; any failure means no icon, never a failed preview.
 */
export async function resolveIcon(
  fetch: SafeFetch,
  declared: string | null,
  manifestUrl: string | null,
  pageUrl: URL,
): Promise<string | null> {
  if (manifestUrl) {
    const fromManifest = await fetch(manifestUrl, {
      accept: 'application/manifest+json, application/json;q=0.9',
      readTypes: ['application/', 'text/'],
    })
      .then((res) => manifestIcon(JSON.parse(res.body.toString('utf8')), res.url))
      .catch(() => null);
    if (fromManifest) return fromManifest;
  }
  if (declared) return declared;
  const favicon = new URL('/favicon.ico', pageUrl).href;
  // The body is not read (no readTypes match): only whether the site answers with an image.
  return fetch(favicon, { accept: 'image/*', readTypes: [] })
    .then((res) => (/^image\/|^application\/octet-stream/.test(res.contentType) ? res.url.href : null))
    .catch(() => null);
}
