import { extractPage } from './page.ts';

/** A worker thread's job (pool.ts): one page's extraction, from its bytes, off the event loop that serves subscribers. */
export default function extract({ body, contentType, url }: { body: Uint8Array; contentType: string; url: string }) {
  return extractPage(body, contentType, new URL(url));
}
