import { extractMetadata } from './metadata.ts';

/** A worker thread's job (pool.ts): one page's extraction, off the event loop that serves subscribers. */
export default function extract({ html, url }: { html: string; url: string }) {
  return extractMetadata(html, new URL(url));
}
