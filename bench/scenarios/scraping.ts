import { gql, signUp } from '../lib/graphql.ts';
import type { startPageServer } from '../lib/page-server.ts';
import type { Started } from '../lib/processes.ts';
import { round } from '../lib/stats.ts';
import { openSubscribers } from '../lib/subscribers.ts';
import { benchChannel, type FanoutSide, HIGHLIGHT, measure, SUB } from './fanout.ts';

/**
 * Fan-out to `size` subscribers alone, then again while the same instance
 * scrapes link previews at `pagesPerSecond` (posts of 5 links to the fixture
 * pages, each URL new so none comes from the cache): does parsing pages
 * take the event loop from subscribers? Extraction runs in worker threads.
 */
export async function runFanoutWhileScraping(
  plaza: Started,
  pages: Awaited<ReturnType<typeof startPageServer>>,
  names: string[],
  { size, changes, pagesPerSecond }: { size: number; changes: number; pagesPerSecond: number },
) {
  const viewer = await signUp(plaza.url, 'viewer');
  const author = await signUp(plaza.url, 'author');
  const section = (await gql(plaza.url, 'mutation($i: CreateSectionInput!) { createSection(input: $i) { id } }', { i: { name: 'Scrape', slug: `scrape-${Date.now()}` } }, author.token)).createSection.id;
  const { seller, channel, products } = await benchChannel(plaza.url);
  const pool = await openSubscribers(plaza.url, size, { query: SUB, variables: { id: channel } }, viewer.token);
  let version = 0;
  const run = () =>
    measure(
      size,
      changes,
      async () => void (await gql(plaza.url, HIGHLIGHT, { i: { channelId: channel, productId: products[++version % 2] } }, seller.token)),
      () => pool.waitForAll(version),
    );
  try {
    const alone: FanoutSide = await run();

    // 5 links a post, a post every 5000 / pagesPerSecond ms, until the second measurement ends.
    let scraping = true;
    let posted = 0;
    const linksPerPost = 5;
    const poster = (async () => {
      const every = (1000 * linksPerPost) / pagesPerSecond;
      const started = performance.now();
      while (scraping) {
        const urls = Array.from({ length: linksPerPost }, (_, i) => pages.url(`${names[(posted + i) % names.length]}?scrape=${started}-${posted + i}`));
        await gql(plaza.url, 'mutation($i: CreatePostInput!) { createPost(input: $i) { id } }', { i: { sectionId: section, content: 'scrape', links: urls } }, author.token);
        posted += linksPerPost;
        const due = started + (posted / linksPerPost) * every;
        await new Promise((r) => setTimeout(r, Math.max(0, due - performance.now())));
      }
    })();
    // Let the workers get going before measuring.
    await new Promise((r) => setTimeout(r, 1_000));
    const t0 = performance.now();
    const scrapingSide = await run();
    const seconds = (performance.now() - t0) / 1000 + 1;
    scraping = false;
    await poster;
    return {
      subscribers: size,
      pagesPerSecondAsked: pagesPerSecond,
      pagesPosted: posted,
      pagesPostedPerSecond: round(posted / seconds),
      alone,
      whileScraping: scrapingSide,
      p99Ratio: round(scrapingSide.p99Ms / alone.p99Ms),
      p50Ratio: round(scrapingSide.p50Ms / alone.p50Ms),
    };
  } finally {
    await pool.close();
  }
}
