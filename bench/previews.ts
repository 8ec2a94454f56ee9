/**
 * `npm run previews`: Plaza's link previews scored against the previews a reader
 * judged right, on Plaza's own corpus (test/fixtures/previews: its `dev` part and
 * the `held` part set aside) and on the 45 shared fixtures, beside metascraper on
 * the same pages in the same process, with the extraction CPU per page of both.
 * metascraper lives in bench/metascraper (installed there on first run); it is
 * only ever measured, never used to extract.
 *
 * PREVIEWS_MISSES=dev prints every miss of the dev part (ours, metascraper's, judged).
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { extractPage } from '../src/modules/links/extract/page.ts';
import { fixturesAvailable, loadFixtures } from '../test/helpers/fixtures.ts';
import { loadCorpus } from '../test/helpers/preview-corpus.ts';
import { type FieldScore, type Judged, judgedMatch, SCORED_FIELDS, scorePreviews } from '../test/helpers/preview-score.ts';

interface Page {
  name: string;
  url: string;
  html: Buffer;
  judged: Judged;
}

const here = new URL('./metascraper/', import.meta.url);
if (!existsSync(new URL('node_modules/metascraper', here))) {
  console.error('[previews] installing metascraper into bench/metascraper (once)');
  execFileSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: here, stdio: 'inherit' });
}
const require = createRequire(new URL('package.json', here));
const RULES = ['author', 'date', 'description', 'image', 'lang', 'publisher', 'title', 'url'];
const metascraper = require('metascraper')(RULES.map((rule) => require(`metascraper-${rule}`)())) as (input: { html: string; url: string }) => Promise<Record<string, string | null>>;

/** Plaza's preview; `latest`: its date the latest it has (the shared fixtures' convention, metascraper's), else the published one. */
async function plaza(page: Page & { latest?: boolean }): Promise<Judged> {
  const { metadata: m } = await extractPage(page.html, 'text/html', new URL(page.url));
  const date = page.latest ? (m.modifiedAt ?? m.publishedAt) : (m.publishedAt ?? m.modifiedAt);
  return { title: m.title, description: m.description, image: m.image, siteName: m.siteName, author: m.author, date, lang: m.lang };
}

async function theirs(page: Page): Promise<Judged> {
  const m = await metascraper({ html: page.html.toString('utf8'), url: page.url });
  return { title: m.title, description: m.description, image: m.image, siteName: m.publisher, author: m.author, date: m.date, lang: m.lang };
}

/** Mean ms per page of `extract` over `pages`, the median of `rounds` rounds (after a warm-up round). */
async function cpuPerPage(pages: Page[], extract: (page: Page) => Promise<unknown>, rounds = 3): Promise<number> {
  const times: number[] = [];
  for (let r = -1; r < rounds; r++) {
    const before = process.cpuUsage();
    for (const page of pages) await extract(page);
    const used = process.cpuUsage(before);
    if (r >= 0) times.push((used.user + used.system) / 1000 / pages.length);
  }
  times.sort((a, b) => a - b);
  return Math.round(times[Math.floor(times.length / 2)]! * 100) / 100;
}

async function scoreSet(label: string, pages: Array<Page & { latest?: boolean }>, printMisses: boolean) {
  const ours: Array<{ name: string; ours: Judged; judged: Judged }> = [];
  const ms: Array<{ name: string; ours: Judged; judged: Judged }> = [];
  for (const page of pages) {
    ours.push({ name: page.name, ours: await plaza(page), judged: page.judged });
    ms.push({ name: page.name, ours: await theirs(page), judged: page.judged });
  }
  const a = scorePreviews(ours);
  const b = scorePreviews(ms);
  console.log(`\n${label}: ${pages.length} pages\n`);
  console.log('| field | pages with one | Plaza | metascraper |\n| --- | ---: | ---: | ---: |');
  for (const field of SCORED_FIELDS) {
    const x = a.find((s) => s.field === field)!;
    const y = b.find((s) => s.field === field)!;
    console.log(`| ${field} | ${x.total} | ${mark(x, y)} | ${y.percent} |`);
  }
  if (printMisses)
    for (const { name, ours: mine, judged } of ours) {
      const theirsNow = ms.find((m) => m.name === name)!.ours;
      for (const field of SCORED_FIELDS)
        if (judgedMatch(field, mine[field], judged[field]) === false)
          console.log(`  miss ${name} ${field}: ours ${show(mine[field])} | metascraper ${show(theirsNow[field])} | judged ${show(judged[field])}`);
    }
  return { label, pages: pages.length, plaza: a, metascraper: b };
}

const mark = (x: FieldScore, y: FieldScore) => (x.percent >= y.percent ? `**${x.percent}**` : `${x.percent}`);
const show = (v: string | null | undefined) => (v == null ? '∅' : JSON.stringify(v.length > 100 ? `${v.slice(0, 100)}…` : v));

const corpus = loadCorpus().map((p) => ({ name: p.name, url: p.url, html: p.html, judged: p.expected, part: p.part }));
const misses = process.env.PREVIEWS_MISSES;
await scoreSet('Plaza corpus, dev part', corpus.filter((p) => p.part === 'dev'), misses === 'dev');
await scoreSet('Plaza corpus, held-aside part', corpus.filter((p) => p.part === 'held'), misses === 'held');
if (fixturesAvailable()) {
  const shared = loadFixtures().map((f) => ({
    name: f.name,
    url: f.url,
    html: f.html,
    latest: true,
    judged: { title: f.expected.title, description: f.expected.description, image: f.expected.image, siteName: f.expected.publisher, author: f.expected.author, date: f.expected.date, lang: f.expected.lang },
  }));
  await scoreSet('Shared fixtures (expected: metascraper’s previews, tolerant scoring)', shared, misses === 'shared');
}
const all = corpus as Page[];
const plazaMs = await cpuPerPage(all, plaza);
const theirMs = await cpuPerPage(all, theirs);
console.log(`\nExtraction CPU per page over the ${all.length} corpus pages (one thread, median of 3 rounds): Plaza ${plazaMs} ms, metascraper ${theirMs} ms (${Math.round((theirMs / plazaMs) * 10) / 10}x Plaza's)`);
