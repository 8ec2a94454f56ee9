import { ldValue, type PageDocument, selectFirst, textOf } from './document.ts';
import { cleanText } from './text.ts';

/** Meta tags that name a page's author, most specific first (Open Graph, then plain, Dublin Core, Parse.ly, Sailthru). */
const AUTHOR_META = [
  'article:author',
  'author',
  'dc.creator',
  'dcterms.creator',
  'parsely-author',
  'sailthru.author',
  'byl',
  'cxenseparse:author',
];

/** Visible bylines, in the markup sites use for them. */
const BYLINE_SELECTORS = [
  '[itemprop="author"] [itemprop="name"]',
  '[itemprop="author"]',
  '[rel="author"]',
  '[class*="byline"] [class*="author"]',
  '[class*="author-name"], [class*="author__name"], [class*="authorName"]',
  '[class*="byline"]',
  '[class*="author"] a',
  '[class~="author"], [class~="Author"]',
];

/**
 * The page's author, from the sources in order of trust: JSON-LD, Open Graph
 * and meta tags, microdata, then visible bylines. Names are cleaned
 * ("By Jane Doe" -> "Jane Doe"); a URL, a handle or the site's own name is not
 * an author.
 */
export function extractAuthor(doc: PageDocument, ld: Record<string, unknown> | null, siteName: string | null): string | null {
  const candidates: Array<() => unknown> = [
    () => ldValue(ld?.author, ['name']),
    () => ldValue(ld?.creator, ['name']),
    ...AUTHOR_META.map((key) => () => doc.meta.get(key)),
    ...BYLINE_SELECTORS.map((selector) => () => bylineText(doc, selector)),
    // Last: the creator's social handle, without its "@".
    () => doc.meta.get('twitter:creator')?.replace(/^@/, ''),
  ];
  for (const candidate of candidates) {
    const name = cleanAuthor(candidate(), siteName);
    if (name) return name;
  }
  return null;
}

function bylineText(doc: PageDocument, selector: string): string | null {
  const el = selectFirst(doc, selector);
  if (!el) return null;
  return el.attribs.content ?? textOf(el);
}

const BY_PREFIX = /^(?:(?:written|posted|published|reported|story|text|words)\s+)?by[:\s]+/i;

/** A person's name out of a byline, or null when the value is not one. */
export function cleanAuthor(value: unknown, siteName: string | null): string | null {
  let name = cleanText(typeof value === 'string' ? value : null, 200);
  if (!name) return null;
  name = name.replace(BY_PREFIX, '').replace(/^[—–-]\s*/, '').replace(/\s*[-–—|,:]\s*$/, '').trim();
  if (!name || name.length > 100) return null;
  if (/^(https?:|www\.)|\.(com|org|net)\b|@|^#/i.test(name)) return null;
  if (!/\p{L}/u.test(name)) return null;
  // A byline block holds more than the name ("Jane Doe | May 1, 2020", "Jane Doe Staff Writer Updated …").
  if (name.split(/\s+/).length > 8) return null;
  if (siteName && name.toLowerCase() === siteName.toLowerCase() && name.includes(' ')) return null;
  return name;
}
