import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { decodeHTML } from 'entities';

const shared = new URL('../../../shared/fixtures/link-previews/', import.meta.url);

export interface Fixture {
  name: string;
  /** The page's original address. */
  url: string;
  html: Buffer;
  expected: { title?: string | null; description?: string | null; image?: string | null; publisher?: string | null };
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
}

export type Field = 'title' | 'description' | 'image' | 'siteName';

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
  const theirs = field === 'siteName' ? expected.publisher : expected[field];
  if (!theirs) return null;
  const mine = ours[field];
  if (!mine) return false;
  switch (field) {
    case 'image':
      return lastSegment(mine) === lastSegment(theirs);
    case 'description': {
      const a = fold(mine);
      const b = fold(theirs).replace(/…$/, '').trimEnd();
      return a === b || a.startsWith(b);
    }
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
  return (['title', 'description', 'image', 'siteName'] as Field[]).map((field) => {
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
