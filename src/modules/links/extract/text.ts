import { MAX_URL_LENGTH } from '../../../lib/validate.ts';
import { decodeHTML } from 'entities';

/**
 * HTML left in text (a meta description written with its markup): an element's tag or a comment. A word in
 * angle brackets that names no element is text ("If <branch> is given", "Jane <jane@example.org>").
 */
const MARKUP =
  /<!--[\s\S]*?-->|<\/?(?:a|abbr|article|aside|b|bdi|bdo|big|blockquote|br|button|center|cite|code|dd|del|dfn|div|dl|dt|em|figcaption|figure|font|footer|h[1-6]|header|hr|i|iframe|img|input|ins|kbd|label|li|link|main|mark|meta|nav|noscript|ol|p|picture|pre|q|s|samp|script|section|small|source|span|strike|strong|style|sub|sup|svg|table|tbody|td|th|thead|time|tr|tt|u|ul|var|video|wbr)(?:\s[^>]*)?\/?>/gi;

/** Decodes entities left in text (some pages double-encode), drops markup, folds whitespace, trims; empty becomes null. */
export function cleanText(value: unknown, maxLength = 1_000): string | null {
  if (typeof value !== 'string') return null;
  let text = value;
  for (let i = 0; i < 2 && /&(#\d+|#x[\da-f]+|[a-z]+);/i.test(text); i++) text = decodeHTML(text);
  text = text
    .replace(MARKUP, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  if (!text) return null;
  return text.length > maxLength ? cutAtWord(text, maxLength) : text;
}

/**
 * At most `maxLength` characters ending in "…", cut at the last word boundary unless that loses over a fifth
 * (text without spaces, as in Chinese or Japanese), and never inside a grapheme: not between an emoji's halves,
 * a letter and its accent, or the parts of a flag.
 */
export function cutAtWord(text: string, maxLength: number): string {
  const room = wholeGraphemes(text, maxLength - 1);
  const space = room.search(/\s\S*$/);
  const cut = space >= maxLength * 0.8 ? room.slice(0, space) : room;
  return `${cut.replace(/[\s,;:.–—-]+$/u, '')}…`;
}

const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/** The longest start of `text` of at most `max` UTF-16 units that ends on a grapheme boundary. */
function wholeGraphemes(text: string, max: number): string {
  if (text.length <= max) return text;
  // Only the end needs segmenting: a grapheme is far shorter than 64 units.
  const from = Math.max(0, max - 64);
  let end = from;
  for (const { index } of graphemes.segment(text.slice(from, max + 64))) {
    if (from + index > max) break;
    end = from + index;
  }
  return text.slice(0, end);
}

/** Letters and digits only, lower-cased: how two spellings of one name ("BBC News", "bbc-news") are compared. */
export const lettersOnly = (text: string) => text.toLowerCase().replace(/[^\p{L}\p{N}]+/gu, '');

/** An absolute http(s) URL resolved against the page, or null. */
export function absoluteUrl(value: unknown, base: URL): string | null {
  if (typeof value !== 'string' || !value.trim() || value.length > MAX_URL_LENGTH) return null;
  try {
    const url = new URL(value.trim(), base);
    // Longer than any URL a post may carry: a page's way to make every preview of it, and every answer holding one, huge.
    if (url.href.length > MAX_URL_LENGTH) return null;
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : null;
  } catch {
    return null;
  }
}

export function firstOf<T>(...values: Array<T | null | undefined>): T | null {
  for (const value of values) if (value !== null && value !== undefined) return value;
  return null;
}

/** Typographic quotes, as the best unfurlers show titles: 'it's "x"' -> ‘it’s “x”’. */
export function smartQuotes(text: string | null): string | null {
  if (!text) return text;
  return text
    .replace(/(^|[\s([{\u2014\u2013-])"/g, '$1\u201c')
    .replace(/"/g, '\u201d')
    .replace(/(\p{L}|\p{N})'(?=\p{L}|\p{N})/gu, '$1\u2019')
    .replace(/(^|[\s([{\u2014\u2013-])'/g, '$1\u2018')
    .replace(/'/g, '\u2019');
}

const NEEDLESS_ESCAPE = /%([0-9A-F]{2})/gi;
/**
 * What a path never needs escaped, whatever the server makes of it: the unreserved characters, and the marks
 * that neither `encodeURIComponent` nor `decodeURI` treat as delimiters. Never the delimiters (`:` `/` `?` `#` `@`
 * `&` `=` `+` `$` `,` `;`): escaped or not they can mean different things (a URL carried in a path segment, as
 * image services do), so they keep the spelling the page gave.
 */
const SAFE_IN_PATH = /[A-Za-z0-9\-._~!'()*]/;

/** Decodes percent-escapes a path does not need (`%28` -> `(`, `%7E` -> `~`), so one image has one spelling. */
export function tidyUrl(value: string | null): string | null {
  if (!value) return value;
  try {
    const url = new URL(value);
    url.pathname = url.pathname.replace(NEEDLESS_ESCAPE, (escape, hex: string) => {
      const char = String.fromCharCode(Number.parseInt(hex, 16));
      return SAFE_IN_PATH.test(char) ? char : escape;
    });
    return url.href;
  } catch {
    return value;
  }
}

/** A positive dimension below 100,000 as an integer, or null. */
export function toInt(value: unknown): number | null {
  const n = typeof value === 'number' ? value : Number.parseInt(String(value ?? ''), 10);
  return Number.isFinite(n) && n > 0 && n < 100_000 ? Math.round(n) : null;
}
