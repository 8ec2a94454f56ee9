import { type PageDocument, selectAll, selectFirst, textOf } from './document.ts';
import { labelledValue } from './labelled.ts';
import { printedLine } from './printed.ts';
import { insideOne, named } from './ancestors.ts';

/** Meta tags that date a page's publication, most specific first (Open Graph, schema.org, Parse.ly, Sailthru, Dublin Core). */
const PUBLISHED_META = [
  'article:published_time',
  'og:published_time',
  'datepublished',
  'parsely-pub-date',
  'sailthru.date',
  'dc.date.issued',
  'dcterms.issued',
  'dc.date.created',
  'dcterms.created',
  'dc.date',
  'dcterms.date',
  'pubdate',
  'publishdate',
  'publish-date',
  'publish_date',
  'publication_date',
  'publication-date',
  'article_date_original',
  'original-publish-date',
  'pub_date',
  'displaydate',
  'dc.date.issue',
  'date',
];
const MODIFIED_META = ['article:modified_time', 'og:updated_time', 'datemodified', 'dcterms.modified', 'last-modified'];

/** Where pages print their date for people to read. */
const VISIBLE_DATE =
  '.dt-published, [itemprop="datePublished" i], time, [class*="date" i], [class*="time" i], [class*="publish" i], [class*="post-meta" i], [class*="byline" i], [class*="dateline" i], [id*="date" i], [id*="publish" i]';

const EARLIEST = Date.UTC(1990, 0, 1);
const DAY_MS = 24 * 3600 * 1000;

export interface PageDates {
  /** When the page was first published. */
  publishedAt: string | null;
  /** When the page says it last changed; null when it does not, or when that is its publication. */
  modifiedAt: string | null;
}

/**
 * A page's dates, as ISO strings, from the sources in order of trust: JSON-LD,
 * meta tags, `<time datetime>`, a date printed in the page's date/byline
 * markup (numbers read in the order of the page's `lang`: month first in
 * English or when unknown), then one in its URL path (`/2016/05/16/`). Only
 * real dates: not before 1990 and not more than a day ahead of `now`. `home`:
 * the site's home page, dated only by what it declares (the rest are its stories').
 */
export function extractDates(
  doc: PageDocument,
  ld: Record<string, unknown> | null,
  pageUrl: URL,
  lang: string | null = null,
  home = false,
  now = Date.now(),
): PageDates {
  const declared = [
    () => ld?.datePublished,
    () => ld?.dateCreated,
    () => ld?.uploadDate,
    ...PUBLISHED_META.map((key) => () => doc.meta.get(key)),
    () => selectFirst(doc, 'time[itemprop="datePublished" i], time[pubdate], [itemprop="datePublished" i]')?.attribs.datetime,
    // A home page's first <time> is its first story's.
    () => (home ? null : selectFirst(doc, 'time[datetime]')?.attribs.datetime),
  ];
  const language = lang ?? 'en';
  const published =
    precise(first(now, declared), declared, now) ??
    // What a home page prints are its stories' dates, not its own.
    (home
      ? null
      : first(now, [
          () => visibleDate(doc, language),
          // A field of the page's own: `<dt>Date:</dt><dd>October 7, 2026</dd>`, `<th>Published</th><td>…</td>`.
          () => dateIn(labelledValue(doc, DATE_LABEL), language),
          // A printed dateline (or a byline that dates itself), in no date markup.
          () => dateIn(printedLine(doc, DATELINE) ?? printedLine(doc, DATED_BYLINE), language),
          () => urlDate(pageUrl),
        ]));
  const modified = first(now, [
    () => ld?.dateModified,
    ...MODIFIED_META.map((key) => () => doc.meta.get(key)),
    () => selectFirst(doc, '[itemprop="dateModified" i]')?.attribs.datetime,
    // "This page was last modified on 23 August 2012, at 20:34." (a wiki's footer), "Last updated: May 1, 2020".
    () => lastModifiedLine(doc, language),
  ]);
  return {
    publishedAt: (published ?? modified)?.toISOString() ?? null,
    modifiedAt: modified && (!published || modified > published) ? modified.toISOString() : null,
  };
}

/**
 * A day alone ("2014-06-30", read as noon UTC) is as good as the page declares; when another declared source
 * gives the time of day on a date within a day and a half of it (a `<time datetime>` in the page's own zone,
 * where the day-only tag was written in UTC), that one is the more exact and wins.
 */
function precise(found: Date | null, candidates: Array<() => unknown>, now: number): Date | null {
  if (!found || found.getUTCHours() !== 12 || found.getUTCMinutes() !== 0 || found.getUTCSeconds() !== 0) return found;
  for (const candidate of candidates) {
    const value = candidate();
    const date = toDate(value, now);
    if (!date || !/\d:\d{2}/.test(String(value))) continue;
    if (Math.abs(date.getTime() - found.getTime()) <= 1.5 * DAY_MS) return date;
  }
  return found;
}

function first(now: number, candidates: Array<() => unknown>): Date | null {
  for (const candidate of candidates) {
    const date = toDate(candidate(), now);
    if (date) return date;
  }
  return null;
}

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const MONTH = '(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\\.?';
const MONTH_DAY_YEAR = new RegExp(`\\b${MONTH}\\s+(\\d{1,2})(?:st|nd|rd|th)?,?\\s+((?:19|20)\\d{2})\\b`, 'i');
const DAY_MONTH_YEAR = new RegExp(`\\b(\\d{1,2})(?:st|nd|rd|th)?\\s+${MONTH},?\\s+((?:19|20)\\d{2})\\b`, 'i');

/** The first "May 16, 2016" / "16 May 2016" / "5/16/2016" near the start of the page's short date and byline elements. */
function visibleDate(doc: PageDocument, lang: string): string | null {
  let tried = 0;
  for (const el of selectAll(doc, VISIBLE_DATE)) {
    // A citation's date ("Retrieved June 14, 2012") is the cited page's, an infobox's its subject's (a release).
    if (elsewhere(el) || insideOne(el, elsewhere)) continue;
    // Its opening words: a date element may hold a script or a menu after the date.
    const found = textTimestamp(textOf(el).slice(0, 120), lang);
    if (found) return found;
    if (++tried === 40) break;
  }
  return null;
}

/** Labels of a field dating the page's publication ("Date:", "Published"), in the languages of the pages. */
const DATE_LABEL =
  /^(date|(date )?(published|posted|released)( on)?|(publication|release) date|datum|fecha|data|publi[ée] le|ver[öo]ffentlicht( am)?|publicado( el)?)$/i;

/** Parts of a page whose dates are another's: citations, footnotes, an infobox about the page's subject. */
const elsewhere = named(new Set(['cite']), /(^|[\s_-])(references?|reflist|citations?|footnotes?|accessdate|infobox)([\s_-]|$)/i);

/** Elements that say when the page last changed, in a footer or beside the text. */
const LAST_MODIFIED = '[id*="lastmod" i], [class*="lastmod" i], [id*="last-modified" i], [class*="last-modified" i], [class*="updated" i], [id*="updated" i]';
const LAST_MODIFIED_TEXT = /\blast\s+(?:modified|updated|edited|changed)\b\s*(?:on\s+|:\s*)?/i;

/** The date of a "This page was last modified on …" or "Last updated: …" element. */
function lastModifiedLine(doc: PageDocument, lang: string): string | null {
  let tried = 0;
  for (const el of selectAll(doc, LAST_MODIFIED)) {
    const text = textOf(el).slice(0, 200);
    const said = LAST_MODIFIED_TEXT.exec(text);
    if (said) return dateIn(text.slice(said.index + said[0].length), lang);
    if (++tried === 10) break;
  }
  return null;
}


/** A line that dates the page in words, without markup saying so: "Published: May 1, 2020", "Posted on 1 May 2020 by…". */
const DATELINE =
  /^(?:first\s+)?(?:published|posted|publication date|date)\s*(?::\s*|\s+on\s+|\s+)(?:on\s+)?(?=\d|(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec|mon|tue|wed|thu|fri|sat|sun)[a-z]*\.?[\s,])/i;

/** A printed byline that dates itself: "by Jane Doe on May 15, 2013 at 3:45 pm ET", "By Jane Doe | 05/15/2013". */
const DATED_BYLINE = /^(?:(?:written|posted|reported)\s+)?by\s*:?\s+\p{Lu}.*\b(?:19|20)\d{2}\b/iu;

/** The date in a short text found outside date markup (a field's value, a printed line), read from its start. */
const dateIn = (text: string | null, lang: string): string | null => (text ? textTimestamp(text.trim().slice(0, 120), lang) : null);

const NUMERIC_DATE = /\b(\d{1,2})\/(\d{1,2})\/((?:19|20)?\d{2})\b/;

/** Hours from UTC of the zone abbreviations pages print after a time; ambiguous ones (IST, CST in Asia…) are read as their usual English meaning or left out. */
const ZONES: Record<string, number> = {
  utc: 0, gmt: 0, z: 0, est: -5, edt: -4, cst: -6, cdt: -5, mst: -7, mdt: -6, pst: -8, pdt: -7, akst: -9, akdt: -8, hst: -10,
  bst: 1, cet: 1, cest: 2, eet: 2, eest: 3, jst: 9, kst: 9, aest: 10, aedt: 11,
};
const PRINTED_TIME = /^[\s,@at.-]*(\d{1,2}):(\d{2})(?::(\d{2}))?\s*([ap]\.?m\.?)?\s*\(?([a-z]{1,4})\b/i;

/**
 * A printed date as `textDate` reads it; when a time of day and a known zone follow it ("06/06/2013 09:48:55 PM
 * PDT", "Jun. 6, 2013 1:04 PM EDT"), the instant they name. A time without a zone says no instant: the day alone.
 */
function textTimestamp(text: string, lang: string): string | null {
  const day = textDate(text, lang);
  if (!day) return null;
  const end = dateEnd(text);
  const time = end === null ? null : PRINTED_TIME.exec(text.slice(end));
  const offset = time ? ZONES[time[5]!.toLowerCase()] : undefined;
  if (!time || offset === undefined) return day;
  let hours = Number(time[1]);
  const meridiem = time[4]?.toLowerCase().replace(/\./g, '');
  if (meridiem === 'pm' && hours < 12) hours += 12;
  if (meridiem === 'am' && hours === 12) hours = 0;
  if (hours > 23 || Number(time[2]) > 59) return day;
  const local = Date.UTC(Number(day.slice(0, 4)), Number(day.slice(5, 7)) - 1, Number(day.slice(8, 10)), hours, Number(time[2]), Number(time[3] ?? 0));
  return new Date(local - offset * 3_600_000).toISOString();
}

/** Where the date `textDate` found in `text` ends. */
function dateEnd(text: string): number | null {
  for (const pattern of [MONTH_DAY_YEAR, DAY_MONTH_YEAR, ISO_DAY, NUMERIC_DATE]) {
    const match = pattern.exec(text);
    if (match) return match.index + match[0].length;
  }
  return null;
}
const ISO_DAY = /\b((?:19|20)\d{2})-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])\b/;

/** A day written for people (in words, as numbers in the order of `lang`, or ISO), as YYYY-MM-DD. */
export function textDate(text: string, lang = 'en'): string | null {
  let match = MONTH_DAY_YEAR.exec(text);
  if (match) return isoDay(match[3]!, match[1]!, match[2]!);
  match = DAY_MONTH_YEAR.exec(text);
  if (match) return isoDay(match[3]!, match[2]!, match[1]!);
  match = ISO_DAY.exec(text);
  if (match) return `${match[1]}-${match[2]}-${match[3]}`;
  match = NUMERIC_DATE.exec(text);
  if (match) {
    const year = match[3]!.length === 2 ? `20${match[3]}` : match[3]!;
    let [month, day] = lang === 'en' ? [Number(match[1]), Number(match[2])] : [Number(match[2]), Number(match[1])];
    if (month > 12 && day <= 12) [month, day] = [day, month];
    if (month < 1 || month > 12 || day < 1 || day > 31) return null;
    return `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
  }
  return null;
}

function isoDay(year: string, month: string, day: string): string | null {
  const m = MONTHS.indexOf(month.slice(0, 3).toLowerCase()) + 1;
  const d = Number(day);
  if (m < 1 || d < 1 || d > 31) return null;
  return `${year}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

/** "/blog/2016/05/16/slug" -> 2016-05-16. */
function urlDate(url: URL): string | null {
  const match = /\/((?:19|20)\d{2})[/-](0[1-9]|1[0-2])[/-](0[1-9]|[12]\d|3[01])(?:\/|$|-)/.exec(url.pathname);
  return match ? `${match[1]}-${match[2]}-${match[3]}` : null;
}

function sloppyIso(text: string): string {
  return text
    .replace(/^(\d{4})-(\d{1,2})-(\d{1,2})(?=T|\s|$)/, (_, y: string, m: string, d: string) => `${y}-${m.padStart(2, '0')}-${d.padStart(2, '0')}`)
    .replace(/\s*(?:GMT|UTC)\s*([+-]\d{2}:?\d{2})$/i, '$1')
    .replace(/\s*(?:GMT|UTC)$/i, 'Z');
}

/** A date out of an ISO string, an RFC 2822 string or epoch seconds/milliseconds; null when not a plausible one. */
export function toDate(value: unknown, now = Date.now()): Date | null {
  if (Array.isArray(value)) return toDate(value[0], now);
  if (typeof value !== 'string' && typeof value !== 'number') return null;
  const text = String(value).trim();
  if (!text) return null;
  let date: Date;
  if (/^\d{10}(\d{3})?$/.test(text)) {
    date = new Date(text.length === 10 ? Number(text) * 1000 : Number(text));
  } else if (/^\d{8}$/.test(text)) {
    date = new Date(`${text.slice(0, 4)}-${text.slice(4, 6)}-${text.slice(6, 8)}T12:00:00Z`);
  } else if (/^\d{4}-\d{2}-\d{2}$/.test(text)) {
    // A bare day: noon UTC keeps it on the same calendar day wherever it is read.
    date = new Date(`${text}T12:00:00Z`);
  } else if (/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}(:\d{2})?$/.test(text)) {
    // "2020-12-30 02:13:22": no zone given; read as UTC, not as this server's zone.
    date = new Date(`${text.replace(' ', 'T')}Z`);
  } else {
    date = new Date(text.replace(/ (\d{2}:\d{2}:\d{2}) ([+-]\d{2})(\d{2})$/, 'T$1$2:$3'));
    if (Number.isNaN(date.getTime())) date = new Date(text);
    // Written carelessly: "2013-06-7T03:37:27GMT+05:30" is 2013-06-07T03:37:27+05:30.
    if (Number.isNaN(date.getTime())) date = new Date(sloppyIso(text));
  }
  const time = date.getTime();
  if (Number.isNaN(time) || time < EARLIEST || time > now + DAY_MS) return null;
  return date;
}
