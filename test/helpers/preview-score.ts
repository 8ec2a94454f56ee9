import { decodeHTML } from 'entities';

/**
 * The tolerant scoring of a preview against the one a reader judged right
 * (docs/link-previews.md, "Measuring previews"): the same rule for Plaza and for
 * metascraper on the same pages.
 */
export interface Judged {
  title?: string | null;
  description?: string | null;
  image?: string | null;
  siteName?: string | null;
  author?: string | null;
  date?: string | null;
  lang?: string | null;
}

export type ScoredField = keyof Judged;
export const SCORED_FIELDS: ScoredField[] = ['title', 'description', 'image', 'siteName', 'author', 'date', 'lang'];

/** Case, entities, typographic quotes and dashes, whitespace folded. */
export function fold(text: string): string {
  return decodeHTML(text)
    .normalize('NFKC')
    .replace(/[‘’ʼ′]/g, "'")
    .replace(/[“”″]/g, '"')
    .replace(/[‐‑‒–—―]/g, '-')
    .replace(/\s+/g, ' ')
    .trim()
    .toLowerCase();
}

/** Letters and digits only. */
const bare = (text: string) => fold(text).replace(/[^\p{L}\p{N}]+/gu, '');

const SEPARATOR = /\s+[|–—·:»/-]\s+|\s+[|–—·»]\s*|\s*[|–—·»]\s+/u;

/** "Headline - Site" and "Site | Headline" both match "Headline": one side is the other with a short segment before or after a separator. */
function sameTitle(a: string, b: string): boolean {
  const [x, y] = [fold(a), fold(b)];
  if (bare(x) === bare(y)) return true;
  const [long, short] = x.length >= y.length ? [x, y] : [y, x];
  if (!bare(short)) return false;
  const parts = long.split(SEPARATOR);
  if (parts.length < 2) return false;
  // Dropping leading or trailing segments of the longer one.
  for (let from = 0; from < parts.length; from++)
    for (let to = parts.length; to > from; to--) {
      if (from === 0 && to === parts.length) continue;
      if (bare(parts.slice(from, to).join(' ')) === bare(short)) return true;
    }
  return false;
}

/** Either starts with the other (one was cut for length, ending in an ellipsis), or they are equal. */
function sameDescription(a: string, b: string): boolean {
  const cut = (s: string) => bare(s.replace(/(…|\.\.\.)\s*$/u, ''));
  const [x, y] = [cut(a), cut(b)];
  if (x === y) return true;
  const [long, short] = x.length >= y.length ? [x, y] : [y, x];
  return short.length >= 40 && long.startsWith(short);
}

/** "The Verge" = "Verge", "www.Space.com" = "Space": a site's name with or without its article or its domain. */
const siteKey = (name: string) =>
  bare(fold(name).replace(/^www\./, '').replace(/\.(com|net|org|co\.uk|com\.au|co|fr|de|es|it|io)$/, '')).replace(/^the/, '');

/** "By Jane Doe" = "Jane Doe"; one author of several matches. */
function authors(text: string): string[] {
  return fold(text)
    .replace(/^(by|por|par|von|di|door|af|av)\s+/u, '')
    .split(/\s*(?:,|;|&|\band\b|\bund\b|\bet\b|\by\b|\be\b)\s*/u)
    .map(bare)
    .filter(Boolean);
}

function sameAuthor(a: string, b: string): boolean {
  const ours = authors(a);
  const theirs = new Set(authors(b));
  return ours.some((name) => theirs.has(name));
}

/**
 * The same calendar day as the judged date, in the judged date's own time zone
 * (a judged "2013-07-18T21:30:00-04:00" is the 18th, whether ours says so in UTC or
 * in New York time), or in UTC: what a preview shows is a day.
 */
function sameDate(ours: string, judged: string): boolean {
  const t = Date.parse(ours);
  if (Number.isNaN(t) || Number.isNaN(Date.parse(judged))) return false;
  const day = judged.slice(0, 10);
  const offset = /([+-])(\d{2}):?(\d{2})$/.exec(judged);
  const minutes = offset ? (offset[1] === '-' ? -1 : 1) * (Number(offset[2]) * 60 + Number(offset[3])) : 0;
  const inJudgedZone = new Date(t + minutes * 60_000).toISOString().slice(0, 10);
  return inJudgedZone === day || new Date(t).toISOString().slice(0, 10) === day || ours.slice(0, 10) === day;
}

const lastSegment = (url: string) => {
  try {
    return decodeURIComponent(new URL(url).pathname.split('/').filter(Boolean).at(-1) ?? '');
  } catch {
    return url;
  }
};

/** Whether `ours` matches what was judged right for `field`; null when the page has nothing to find there. */
export function judgedMatch(field: ScoredField, ours: string | null | undefined, judged: string | null | undefined): boolean | null {
  if (!judged) return null;
  if (!ours) return false;
  switch (field) {
    case 'title':
      return sameTitle(ours, judged);
    case 'description':
      return sameDescription(ours, judged);
    case 'image':
      return lastSegment(ours) === lastSegment(judged);
    case 'siteName':
      return siteKey(ours) === siteKey(judged);
    case 'author':
      return sameAuthor(ours, judged);
    case 'date':
      return sameDate(ours, judged);
    case 'lang':
      return ours.toLowerCase().split(/[-_]/)[0] === judged.toLowerCase().split(/[-_]/)[0];
  }
}

export interface FieldScore {
  field: ScoredField;
  matched: number;
  total: number;
  percent: number;
  misses: string[];
}

/** Per field: how many of the pages that have something there were matched. */
export function scorePreviews(results: Array<{ name: string; ours: Judged; judged: Judged }>): FieldScore[] {
  return SCORED_FIELDS.map((field) => {
    let matched = 0;
    let total = 0;
    const misses: string[] = [];
    for (const { name, ours, judged } of results) {
      const ok = judgedMatch(field, ours[field], judged[field]);
      if (ok === null) continue;
      total++;
      if (ok) matched++;
      else misses.push(name);
    }
    return { field, matched, total, percent: total ? Math.round((matched / total) * 1000) / 10 : 100, misses };
  });
}
