import { nestingLimit } from './nesting.ts';

/**
 * Decodes an HTML body using the charset from Content-Type, else a <meta charset>, else UTF-8.
 * A page that declares a single-byte charset (Latin-1, Windows-1252…) but whose bytes are valid
 * UTF-8 with characters past ASCII is UTF-8: a page re-saved or re-served without its declaration
 * updated, read the declared way, would show "pasÃ³" for "pasó"; the other way round cannot happen
 * by chance (text in a single-byte charset is almost never valid UTF-8).
 */
export function decodeHtml(body: Buffer, contentType: string): string {
  const declared = /charset=["']?([\w-]+)/i.exec(contentType)?.[1];
  const sniffed = /<meta[^>]+charset=["']?([\w-]+)/i.exec(body.subarray(0, 2048).toString('latin1'))?.[1];
  for (const label of [declared, sniffed, 'utf-8']) {
    if (!label) continue;
    let decoder: TextDecoder;
    try {
      decoder = new TextDecoder(label);
    } catch {
      continue; // Unknown label: try the next one.
    }
    if (SINGLE_BYTE.test(decoder.encoding)) {
      const utf8 = validUtf8(body);
      if (utf8 !== null) return utf8;
    }
    return decoder.decode(body);
  }
  return body.toString('utf8');
}

const SINGLE_BYTE = /^(windows-125\d|iso-8859-\d+)$/;

/** The body as UTF-8 when it is valid UTF-8 holding at least one character past ASCII; else null. */
function validUtf8(body: Buffer): string | null {
  if (!body.some((byte) => byte >= 0x80)) return null;
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(body);
  } catch {
    return null;
  }
}

const HEAD_END = /<\/head\s{0,64}>/i;
/** The longest text HEAD_END matches: a match straddling two chunks starts no further back than this. */
const HEAD_END_MAX = 72;
/**
 * A meta tag named one of `names` (a regex alternation) that holds a value, the attributes in either order;
 * `value` what the value must start with. An empty tag (`<meta property="og:site_name">`, seen) declares nothing.
 */
const declaredTag = (names: string, value = '[^"\'\\s>]') =>
  `(?:name|property|itemprop)=["']?(?:${names})["']?${OTHER_ATTRIBUTES}\\s+content=["']?${value}|content=["']?${value}[^"'>]*["']?${OTHER_ATTRIBUTES}\\s+(?:name|property|itemprop)=["']?(?:${names})["'\\s/>]`;
/** Attributes between the two that matter (`data-rh="true"`), a few at most. */
const OTHER_ATTRIBUTES = `(?:\\s+[\\w:-]+=(?:"[^"]{0,200}"|'[^']{0,200}'|[^\\s>]{1,200})){0,4}`;

/** What a full preview needs: title, image, description, site name, author and date. */
const WANTED = [
  new RegExp(declaredTag('og:title|twitter:title'), 'i'),
  new RegExp(declaredTag('og:image|og:image:url|og:image:secure_url|twitter:image|twitter:image:src'), 'i'),
  new RegExp(declaredTag('og:description|description|twitter:description'), 'i'),
  new RegExp(declaredTag('og:site_name'), 'i'),
  // An author named, not a profile URL (article:author often is one).
  new RegExp(`${declaredTag('article:author|author|parsely-author|dc\\.creator', '(?!https?:)[^"\'\\s>]')}|"author"\\s*:`, 'i'),
  new RegExp(`${declaredTag('article:published_time|date|pubdate|datePublished|dc\\.date|parsely-pub-date')}|published_time|"datePublished"\\s*:`, 'i'),
];

/**
 * A check for one fetch, told each chunk of the body as it arrives: true once
 * the document head is complete and already holds everything a preview
 * needs, so the rest of the page need not be downloaded. Each byte is looked
 * at once (a page read to its end in small chunks is not rescanned per chunk);
 * once the head has ended without enough, the answer stays no.
 */
export function headIsEnough(): (chunk: Buffer) => boolean {
  const parts: string[] = [];
  let length = 0;
  // The end of what came before: a match straddling two chunks starts no further back than a match is long.
  let tail = '';
  let settled: boolean | null = null;
  return (chunk) => {
    if (settled !== null) return settled;
    const text = chunk.toString('latin1');
    const window = tail + text;
    const at = window.search(HEAD_END);
    parts.push(text);
    length += text.length;
    if (at < 0) {
      tail = window.slice(-HEAD_END_MAX);
      return false;
    }
    // Searched once per byte, however small the chunks: a page trickled a few bytes at a time stays linear.
    const headEnd = length - window.length + at;
    settled = holdsFullPreview(parts.join('').slice(0, headEnd));
    parts.length = 0;
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
    const ld = jsonLdBlocks(text, end);
    const head = text.slice(0, end);
    if (holdsFullPreview(head + ld.map(([from, to]) => text.slice(from, to)).join(''))) {
      // latin1 keeps one character per byte: offsets in the text are offsets in the body.
      const parts = [body.subarray(0, nestingLimit(head, MAX_NESTING)), ...ld.map(([from, to]) => body.subarray(from, to))];
      return Buffer.concat([...parts, Buffer.from('</head><body></body></html>')]);
    }
  }
  const start = body.subarray(0, FALLBACK_SOURCE_BYTES);
  return start.subarray(0, nestingLimit(start.toString('latin1'), MAX_NESTING));
}

/** Deeper than this, a page is read only up to where it gets there (nesting.ts); real pages stay under ~100. */
const MAX_NESTING = 1_000;

/**
 * Where the `<script type="application/ld+json">…</script>` blocks of
 * `text` after `from` are, as [start, end) offsets. One pass: each search
 * starts where the last one ended, so a page of a million openers without a
 * closing tag costs one scan, not one per opener (a lazy regex rescanned the
 * rest of the page from each opener).
 */
export function jsonLdBlocks(text: string, from: number): Array<[number, number]> {
  const blocks: Array<[number, number]> = [];
  const opener = /<script/gi;
  const closer = /<\/script/gi;
  opener.lastIndex = from;
  for (;;) {
    const open = opener.exec(text);
    if (!open) return blocks;
    const tagEnd = text.indexOf('>', open.index);
    if (tagEnd < 0) return blocks;
    closer.lastIndex = tagEnd;
    const close = closer.exec(text);
    if (!close) return blocks;
    const closeEnd = text.indexOf('>', close.index);
    if (closeEnd < 0) return blocks;
    if (/application\/ld\+json/i.test(text.slice(open.index, tagEnd))) blocks.push([open.index, closeEnd + 1]);
    opener.lastIndex = closeEnd + 1;
  }
}
