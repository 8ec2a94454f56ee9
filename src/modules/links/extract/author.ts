import type { Element } from 'domhandler';
import { ldValue, type PageDocument, selectAll, textOf } from './document.ts';
import { labelledValue } from './labelled.ts';
import { printedLine } from './printed.ts';
import { cleanText, lettersOnly } from './text.ts';

/** Meta tags that name a page's author, most specific first (Open Graph, then plain, Dublin Core, Parse.ly, Sailthru). */
const AUTHOR_META = [
  'article:author',
  'author',
  'dc.creator',
  'dcterms.creator',
  'parsely-author',
  'sailthru.author',
  'byl',
  'byline',
  'author.name',
  'cxenseparse:author',
];

/** Visible bylines, in the markup sites use for them. */
const BYLINE_SELECTORS = [
  '[itemprop~="author"] [itemprop="name"]',
  '[itemprop~="author"]',
  // Microformats: an h-entry's author h-card, an hAtom entry's vcard.
  '.h-entry .p-author .p-name, .h-entry .p-author',
  '.hentry .author .fn, .hentry .vcard .fn',
  '[rel="author"]',
  // Class names are matched whatever their case: sites write "byline", "byLine", "articleByline".
  '[class*="byline" i] [class*="author" i]',
  '[class*="author-name" i], [class*="author__name" i], [class*="authorName" i]',
  '[class*="byline" i]',
  // Not a corporate author's (DocBook's `corpauthor`: the organisation beside the people).
  '[class*="author"] a:not([class*="corpauthor" i] *), a[class*="author" i]',
  // A link to the author's page ("/author/jane-doe"), named.
  'a[href*="/author/" i], a[href*="/authors/" i], a[href*="/by/" i]',
  '[class~="author"], [class~="Author"]',
  '[class*="author" i]',
  'article address',
];

/** A line that starts as a byline does: "By Jane Doe", "Written by Jane Doe | May 1". */
const PRINTED_BYLINE = /^(?:(?:written|posted|reported)\s+)?by\s*:?\s+\p{Lu}/iu;
/** A person's name as bylines print it: two to five words, each capitalised but for particles ("Ludwig van Beethoven"). */
const PERSON = /^\p{Lu}[\p{L}'’.-]*(?:\s+(?:\p{Lu}[\p{L}'’.-]*|van|von|de|der|den|da|di|del|du|la|le|bin|al)){1,4}$/u;

/** Labels of a field naming the author, in the languages of the pages. */
const AUTHOR_LABEL = /^(authors?|editors?|written by|by|auteurs?|autor(en|in)?|autore|autores?)$/i;

/** How many elements of one byline selector are tried: the first may be a `<link>`, an empty slot or a widget. */
const BYLINE_TRIES = 4;

/**
 * The page's author, from the sources in order of trust: JSON-LD, Open Graph
 * and meta tags, microdata, then visible bylines. Names are cleaned
 * ("By Jane Doe" -> "Jane Doe"); a URL, a handle or the site's own name is not
 * an author.
 */
export function extractAuthor(doc: PageDocument, ld: Record<string, unknown> | null, siteName: string | null): string | null {
  const names = [siteName, doc.meta.get('og:site_name'), doc.meta.get('twitter:site')?.replace(/^@/, '')];
  const declared: Array<() => unknown> = [
    () => ldName(doc, ld?.author),
    () => ldName(doc, ld?.creator),
    // Another node's author: a second Article block, a graph whose main node is a WebPage.
    () => ldName(doc, doc.jsonLd.find((node) => node !== ld && node.author)?.author),
    ...AUTHOR_META.map((key) => () => doc.meta.get(key)),
  ];
  for (const candidate of declared) {
    const name = cleanAuthor(candidate(), names);
    if (name) return name;
  }
  for (const selector of BYLINE_SELECTORS) {
    let tried = 0;
    for (const el of selectAll(doc, selector)) {
      const name = cleanAuthor(el.attribs.content ?? textOf(el), names);
      if (name) return name;
      if (++tried === BYLINE_TRIES) break;
    }
  }
  // A field of the page's own: "Author: Jane Doe" in a definition list or a table, or "Name: Jane Doe" in a box
  // headed "About the Author".
  const field = cleanAuthor(labelledValue(doc, AUTHOR_LABEL) ?? authorBoxName(doc), names);
  if (field) return field;
  // A byline printed without markup saying so: a line of its own that reads "By Jane Doe", a name in capitals.
  const printed = cleanAuthor(printedLine(doc, PRINTED_BYLINE), names);
  if (printed && PERSON.test(printed)) return printed;
  // No person named anywhere: the site itself, when the page declares it as the author (a company's blog, an
  // organisation's own page), a product's maker (JSON-LD brand or manufacturer), else the creator's social
  // handle without its "@" (the site's own account included).
  const product = ld?.brand || ld?.manufacturer ? ld : doc.jsonLd.find((node) => node.brand || node.manufacturer);
  const maker = [() => ldValue(product?.brand, ['name']), () => ldValue(product?.manufacturer, ['name'])];
  for (const candidate of [...declared, ...maker, () => doc.meta.get('twitter:creator')?.replace(/^@/, '')]) {
    const name = cleanAuthor(candidate());
    if (name) return name;
  }
  return null;
}

const AUTHOR_BOX = /^(about the author|about the writer|the author|author|sobre el autor|à propos de l'auteur|über den autor|l'autore)$/i;

/** The "Name" field of a box headed "About the Author". */
function authorBoxName(doc: PageDocument): string | null {
  let tried = 0;
  for (const heading of selectAll(doc, 'h2, h3, h4, h5, h6')) {
    if (++tried > 50) break;
    const box = heading.parent;
    if (box?.type !== 'tag' || !AUTHOR_BOX.test(textOf(heading).trim().replace(/\s*:$/, ''))) continue;
    const name = labelledValue(doc, /^name$/i, box as Element);
    if (name) return name;
  }
  return null;
}

/** A JSON-LD author's name: itself, a node's name, the first of several, or the node a reference (`{"@id": …}`) points to. */
function ldName(doc: PageDocument, value: unknown): string | null {
  const first = Array.isArray(value) ? value[0] : value;
  const named = ldValue(first, ['name']);
  if (named) return named;
  const id = first && typeof first === 'object' ? (first as Record<string, unknown>)['@id'] : null;
  if (typeof id !== 'string') return null;
  return ldValue(doc.jsonLd.find((node) => node['@id'] === id && node.name), ['name']);
}

const BY_PREFIX = /^(?:(?:written|posted|published|reported|story|text|words)\s+)?(?:by|par|por|von|di|door)[:\s]+/i;

const WEEKDAY = '(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*\\.?,?';
const MONTH_NAME = '(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\\.?';
/**
 * Where a byline's name ends and its date, time or links begin: "Jane Doe | May 1, 2020",
 * "Jane Doe - 2013-07-18T03:00Z", "Jane Doe Tuesday, Aug. 17, 2010", "Jane Doe @janedoe on June 26".
 */
const BYLINE_TAIL = new RegExp(
  [
    '\\s+[|•·]\\s+.*$',
    '\\s+[-–—]\\s+\\d.*$',
    `\\s*\\b${WEEKDAY}\\s+${MONTH_NAME}\\s+\\d.*$`,
    `\\s+(?:on\\s+)?${MONTH_NAME}\\s+\\d{1,2}(?:st|nd|rd|th)?,?\\s+\\d{4}.*$`,
    '\\s*\\b(?:19|20)\\d{2}-\\d{2}-\\d{2}.*$',
    '\\s+\\(?@\\w+.*$',
    '\\s+(?:updated|published|posted)\\b.*$',
  ].join('|'),
  'i',
);
/** A role after the name: "Jane Doe, Staff Writer", "Jane Doe Senior Editor". */
const ROLE = /(?:,\s*(?:(?:staff|senior|special|chief|contributing|associate)\s+)?|\s+(?:staff|senior|special|chief|contributing|associate)\s+)(?:writer|reporter|correspondent|editor|columnist|contributor)s?$/i;

/** A person's name out of a byline, or null when the value is not one (a URL, a handle, one of the site's own `names`). */
export function cleanAuthor(value: unknown, names: Array<string | null | undefined> = []): string | null {
  let name = cleanText(typeof value === 'string' ? value : null, 300);
  if (!name) return null;
  name = name
    .replace(BY_PREFIX, '')
    .replace(/^[—–-]\s*/, '')
    .replace(BYLINE_TAIL, '')
    // A note after the name: "Jane Doe (Reuters)", "Jane Doe ($70K/mo)".
    .replace(/\s*\([^()]*\)$/, '')
    .replace(ROLE, '')
    .replace(/\s*[-–—|,:]\s*$/, '')
    .trim();
  if (!name || name.length > 100) return null;
  if (/^(https?:|www\.)|\.(com|org|net|gov)\b|@|^#/i.test(name)) return null;
  // A copyright notice names the holder of rights, not the writer ("(c) Example Media").
  if (/^(\(c\)|©|copyright\b)/i.test(name)) return null;
  if (!/\p{L}/u.test(name)) return null;
  // Not a name: a time or a date ("9:39AM BST 05 Oct 2011"), a credit line ("CBS/AP/").
  if (/\d|\//.test(name)) return null;
  // A byline block holds more than the name ("Jane Doe Staff Writer Updated …", "About Jane Doe Jane is…").
  if (name.split(/\s+/).length > 8) return null;
  if (names.some((site) => site && lettersOnly(site) === lettersOnly(name))) return null;
  return name;
}
