import { gql, signUp } from '../lib/graphql.ts';
import type { pageSites } from '../lib/page-server.ts';
import type { Started } from '../lib/processes.ts';
import { round } from '../lib/stats.ts';
import { openSubscribers } from '../lib/subscribers.ts';
import { benchChannel, type FanoutSide, HIGHLIGHT, measure, SUB } from './fanout.ts';

/** Unanswered posts the scraping load allows before it skips one. */
const MAX_IN_FLIGHT = 20;
/** The window of scraping alone over which Plaza's CPU per page is read. */
const CPU_WINDOW_MS = 3_000;

/**
 * Fan-out to `size` subscribers alone, then again while the same instance
 * scrapes link previews at `pagesPerSecond` (posts of 5 links to the fixture
 * pages, each URL new so none comes from the cache): does parsing pages
 * take the event loop from subscribers? Extraction runs in worker threads.
 */
export async function runFanoutWhileScraping(
  plaza: Started,
  /** The fixture pages, served from a process of their own (startPageServerProcess). */
  pages: Pick<ReturnType<typeof pageSites>, 'url'>,
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

    // 5 links a post, a post every 5000 / pagesPerSecond ms, until the second measurement ends. Open loop:
    // a post goes out when due whether or not the one before has been answered (a slow answer must not
    // lower the rate asked), with at most MAX_IN_FLIGHT unanswered.
    let scraping = true;
    let sent = 0;
    let posted = 0;
    let skipped = 0;
    const linksPerPost = 5;
    const inFlight = new Set<Promise<void>>();
    const poster = (async () => {
      const every = (1000 * linksPerPost) / pagesPerSecond;
      const started = performance.now();
      for (let tick = 1; scraping; tick++) {
        if (inFlight.size >= MAX_IN_FLIGHT) skipped += linksPerPost;
        else {
          const first = sent;
          sent += linksPerPost;
          const urls = Array.from({ length: linksPerPost }, (_, i) => pages.url(`${names[(first + i) % names.length]}?scrape=${started}-${first + i}`));
          const done: Promise<void> = gql(plaza.url, 'mutation($i: CreatePostInput!) { createPost(input: $i) { id } }', { i: { sectionId: section, content: 'scrape', links: urls } }, author.token)
            .then(() => void (posted += linksPerPost))
            .finally(() => inFlight.delete(done));
          inFlight.add(done);
        }
        await new Promise((r) => setTimeout(r, Math.max(0, started + tick * every - performance.now())));
      }
      await Promise.all(inFlight);
    })();
    // Let the workers get going before measuring; then Plaza's CPU per page over a window of scraping alone.
    await new Promise((r) => setTimeout(r, 1_000));
    const window = { cpu: plaza.cpuMs(), threads: plaza.threadCpuMs(), posted };
    await new Promise((r) => setTimeout(r, CPU_WINDOW_MS));
    const pagesInWindow = posted - window.posted;
    const threads = plaza.threadCpuMs();
    const perPage = (name: string) => round(((threads.get(name) ?? 0) - (window.threads.get(name) ?? 0)) / pagesInWindow);
    const cpuMsPerPage = {
      all: round((plaza.cpuMs() - window.cpu) / pagesInWindow),
      mainThread: perPage('MainThread'),
      extractionThreads: perPage('WorkerThread'),
      v8Helpers: perPage('V8Worker'),
    };
    const t0 = performance.now();
    const scrapingSide = await run();
    const seconds = (performance.now() - t0) / 1000 + 1 + CPU_WINDOW_MS / 1000;
    scraping = false;
    await poster;
    return {
      subscribers: size,
      pagesPerSecondAsked: pagesPerSecond,
      pagesPosted: posted,
      pagesPostedPerSecond: round(posted / seconds),
      // Posts not sent because MAX_IN_FLIGHT were unanswered: the instance could not take the rate asked.
      pagesSkipped: skipped,
      alone,
      whileScraping: scrapingSide,
      p99Ratio: round(scrapingSide.p99Ms / alone.p99Ms),
      p50Ratio: round(scrapingSide.p50Ms / alone.p50Ms),
      // Over the window of scraping alone, per page posted: the whole process, its event loop, the extraction
      // threads and V8's helper threads (garbage collection, compilers).
      cpuMsPerPage,
    };
  } finally {
    await pool.close();
  }
}

