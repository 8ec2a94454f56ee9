import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { decodeHTML } from 'entities';

const shared = new URL('../../../shared/fixtures/link-previews/', import.meta.url);

export interface Fixture {
  name: string;
  /** The page's original address. */
  url: string;
  html: Buffer;
  expected: {
    title?: string | null;
    description?: string | null;
    image?: string | null;
    publisher?: string | null;
    author?: string | null;
    date?: string | null;
    lang?: string | null;
  };
}

export const fixturesAvailable = () => existsSync(shared);

export function loadFixtures(): Fixture[] {
  return readdirSync(shared, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => {
      const dir = new URL(`${d.name}/`, shared);
      const { url, expected } = JSON.parse(readFileSync(new URL('expected.json', dir), 'utf8'));
      return { name: d.name, url, html: readFileSync(new URL('input.html', dir)), expected };
    })
    .sort((a, b) => a.name.localeCompare(b.name));
}

export interface Preview {
  title?: string | null;
  description?: string | null;
  image?: string | null;
  siteName?: string | null;
  author?: string | null;
  publishedAt?: string | null;
  modifiedAt?: string | null;
  lang?: string | null;
}

export type Field = 'title' | 'description' | 'image' | 'siteName' | 'author' | 'date' | 'lang';
export const FIELDS: Field[] = ['title', 'description', 'image', 'siteName', 'author', 'date', 'lang'];

/** Which expected.json key each preview field is scored against. */
const EXPECTED_KEY: Record<Field, keyof Fixture['expected']> = {
  title: 'title',
  description: 'description',
  image: 'image',
  siteName: 'publisher',
  author: 'author',
  date: 'date',
  lang: 'lang',
};

const fold = (s: string) => decodeHTML(s).replace(/\s+/g, ' ').trim().toLowerCase();
const lastSegment = (url: string) => {
  try {
    return new URL(url).pathname.split('/').filter(Boolean).at(-1) ?? '';
  } catch {
    return url;
  }
};

/** The fixture README's rule for one field: null when the fixture expects nothing there. */
export function fieldMatches(field: Field, ours: Preview, expected: Fixture['expected']): boolean | null {
  const theirs = expected[EXPECTED_KEY[field]];
  if (!theirs) return null;
  // The fixtures' `date` is the page's latest date (metascraper prefers dateModified): ours is modifiedAt, else publishedAt.
  const mine = field === 'date' ? (ours.modifiedAt ?? ours.publishedAt) : ours[field];
  if (!mine) return false;
  switch (field) {
    case 'image':
      return lastSegment(mine) === lastSegment(theirs);
    case 'description': {
      const a = fold(mine);
      const b = fold(theirs).replace(/…$/, '').trimEnd();
      return a === b || a.startsWith(b);
    }
    case 'date':
      return mine.slice(0, 10) === theirs.slice(0, 10);
    case 'lang':
      return mine.toLowerCase().split('-')[0] === theirs.toLowerCase().split('-')[0];
    default:
      return fold(mine) === fold(theirs);
  }
}

export interface Score {
  field: Field;
  matched: number;
  total: number;
  ratio: number;
  misses: string[];
}

export function score(results: Array<{ fixture: Fixture; preview: Preview }>): Score[] {
  return FIELDS.map((field) => {
    let matched = 0;
    let total = 0;
    const misses: string[] = [];
    for (const { fixture, preview } of results) {
      const ok = fieldMatches(field, preview, fixture.expected);
      if (ok === null) continue;
      total += 1;
      if (ok) matched += 1;
      else misses.push(fixture.name);
    }
    return { field, matched, total, ratio: total ? matched / total : 1, misses };
  });
}
