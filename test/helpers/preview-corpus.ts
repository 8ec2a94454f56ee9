import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import type { Judged } from './preview-score.ts';

const root = new URL('../fixtures/previews/', import.meta.url);

/** One page of Plaza's own preview corpus (test/fixtures/previews/README.md). */
export interface CorpusPage {
  name: string;
  /** The page's original address (relative links resolve against it). */
  url: string;
  /** Where the saved page comes from. */
  source: string;
  /** `dev`: rules are changed looking at these; `held`: set aside, only ever scored. */
  part: 'dev' | 'held';
  /** The preview a reader judged right; a field left out or null: the page has none. */
  expected: Judged;
  html: Buffer;
}

export function loadCorpus(part?: 'dev' | 'held'): CorpusPage[] {
  const pages = JSON.parse(readFileSync(new URL('corpus.json', root), 'utf8')) as Omit<CorpusPage, 'html'>[];
  return pages
    .filter((page) => !part || page.part === part)
    .map((page) => ({ ...page, expected: page.expected ?? {}, html: gunzipSync(readFileSync(new URL(`pages/${page.name}.html.gz`, root))) }));
}
