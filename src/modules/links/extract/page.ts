import { decodeHtml, previewSource } from './decode.ts';
import { extractMetadata } from './metadata.ts';

/**
 * A fetched page's extraction from its bytes: the part of the page a preview
 * needs (its head, or its first 256 kB), decoded by its charset, then read.
 * All of it runs where the extraction runs (a worker thread of the pool), so
 * the event loop that serves subscribers neither decodes nor scans the page.
 */
export function extractPage(body: Uint8Array, contentType: string, url: URL) {
  const bytes = Buffer.isBuffer(body) ? body : Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  return extractMetadata(decodeHtml(previewSource(bytes), contentType), url);
}
