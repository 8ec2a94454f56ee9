/** Decodes an HTML body using the charset from Content-Type, else a <meta charset>, else UTF-8. */
export function decodeHtml(body: Buffer, contentType: string): string {
  const declared = /charset=["']?([\w-]+)/i.exec(contentType)?.[1];
  const sniffed = /<meta[^>]+charset=["']?([\w-]+)/i.exec(body.subarray(0, 2048).toString('latin1'))?.[1];
  for (const label of [declared, sniffed, 'utf-8']) {
    if (!label) continue;
    try {
      return new TextDecoder(label).decode(body);
    } catch {
      // Unknown label: try the next one.
    }
  }
  return body.toString('utf8');
}

const HEAD_END = /<\/head\s*>/i;
/** What a full preview needs: title, image, description, site name, author and date. */
const WANTED = [
  /og:title|twitter:title/i,
  /og:image|twitter:image/i,
  /og:description|name=["']?description/i,
  /og:site_name/i,
  /(?:name|property)=["']?(?:article:)?author\b|parsely-author|dc\.creator|"author"\s*:/i,
  /published_time|"datePublished"\s*:|parsely-pub-date|(?:name|property|itemprop)=["']?(?:date|pubdate|datePublished|dc\.date)\b/i,
];
const LD_SCRIPT = /<script[^>]+application\/ld\+json[^>]*>[\s\S]*?<\/script\s*>/gi;

/**
 * A check for one fetch, told each chunk of the body as it arrives: true once
 * the document head is complete and already holds everything a preview
 * needs, so the rest of the page need not be downloaded. Each byte is looked
 * at once (a page read to its end in 64 kB chunks is not rescanned per chunk);
 * once the head has ended without enough, the answer stays no.
 */
export function headIsEnough(): (chunk: Buffer) => boolean {
  let text = '';
  let searched = 0;
  let settled: boolean | null = null;
  return (chunk) => {
    if (settled !== null) return settled;
    text += chunk.toString('latin1');
    // A match holds one `<`, its first character: one straddling two chunks starts at the last `<` already searched.
    const from = Math.max(0, text.lastIndexOf('<', searched - 1));
    const at = text.slice(from).search(HEAD_END);
    searched = text.length;
    if (at < 0) return false;
    settled = holdsFullPreview(text.slice(0, from + at));
    text = '';
    return settled;
  };
}

const holdsFullPreview = (markup: string) => WANTED.every((pattern) => pattern.test(markup));

/** How much of a page the fallbacks read when its head is not enough; the rest is footers and scripts. */
export const FALLBACK_SOURCE_BYTES = 256 * 1024;

/**
 * What extraction parses: the document's head, with the JSON-LD blocks of its
 * body, when those hold a full preview; else its first 256 kB. Parsing 40 kB
 * instead of 900 kB is most of an unfurl's CPU.
 */
export function previewSource(body: Buffer): Buffer {
  const text = body.toString('latin1');
  const end = text.search(HEAD_END);
  if (end >= 0) {
    const ld = [...text.slice(end).matchAll(LD_SCRIPT)];
    if (holdsFullPreview(text.slice(0, end) + ld.map((m) => m[0]).join(''))) {
      // latin1 keeps one character per byte: offsets in the text are offsets in the body.
      const parts = [body.subarray(0, end), ...ld.map((m) => body.subarray(end + m.index, end + m.index + m[0].length))];
      return Buffer.concat([...parts, Buffer.from('</head><body></body></html>')]);
    }
  }
  return body.subarray(0, FALLBACK_SOURCE_BYTES);
}
