import { within } from './lib/within.ts';
import { firstLinkAttempt } from './modules/links/first-attempts.ts';
import {
  enqueueLinkJobs,
  LINK_DEAD_LETTER_QUEUE,
  LINK_QUEUE,
  type LinkWorkerDeps,
  linkJobSettings,
  startLinkWorkers,
} from './modules/links/job.ts';
import { startLinkSweeper } from './modules/links/sweep.ts';
import { createHostRoom } from './modules/links/host-room.ts';
import { createExtractionPool } from './modules/links/extract/pool.ts';
import { loadProviderRegistry } from './modules/links/oembed-providers.ts';
import { createSafeFetch } from './modules/links/safe-fetch.ts';
import { STORY_EXPIRY_QUEUE, startStoryExpiryWorker } from './modules/stories/expiry-job.ts';
import { parseAllowList } from './modules/links/url-policy.ts';
import type { Runtime } from './runtime.ts';
import { PRUNE_EVENTS_QUEUE, startEventPruner } from './jobs/prune-events.ts';

export const USER_AGENT = 'PlazaBot/0.1 (link previews; +https://github.com/plaza/plaza)';

/** How long a stop waits for the first attempts and jobs in hand, within the 10 s shutdown deadline. */
const STOP_GRACE_MS = 5_000;
/** How long first attempts get at stop before those still going are handed over (claims let go, links queued). */
const HAND_OVER_MS = 2_000;

/**
 * Starts this process's background workers: link previews (the queue's jobs,
 * and first attempts at the links of posts committed here), expired-story
 * cleanup, outbox pruning, and the dead-letter sweeper that fails a link whose every attempt was lost (a worker
 * killed mid-fetch) so no spinner waits forever. pg-boss drains them on stop.
 */
export async function startWorkers(runtime: Runtime): Promise<{ stop(): Promise<void> }> {
  const { config, logger, boss, services } = runtime;
  const fetch = createSafeFetch({
    allow: parseAllowList(config.links.allowHosts),
    timeoutMs: config.links.timeoutMs,
    maxBytes: config.links.maxBytes,
    userAgent: USER_AGENT,
  });
  const extraction = createExtractionPool({
    threads: config.links.extractThreads,
    deadlineMs: config.links.extractTimeoutMs,
    // Every job and first attempt may be waiting on a page at once; more is a bug, refused rather than held.
    maxQueue: 2 * config.links.workers,
    onError: (err) => logger.warn({ err: err.message }, 'extraction pool'),
  });
  const linkWorkers: LinkWorkerDeps = {
    extract: extraction.extract,
    providers: loadProviderRegistry(config.links.oembedProvidersFile),
    boss,
    links: services.links,
    fetch,
    logger,
    settings: linkJobSettings(config.links),
    concurrency: config.links.workers,
    pollSeconds: config.jobPollSeconds,
    hostRoom: createHostRoom(),
  };
  await startLinkWorkers(linkWorkers);
  // The links of posts committed here are attempted here first, as many at once as the queue's jobs.
  runtime.linkJobs.attemptHere(firstLinkAttempt(linkWorkers), config.links.workers, (link) => services.links.releaseFetch(link));
  await boss.work<{ linkId: string }>(LINK_DEAD_LETTER_QUEUE, { pollingIntervalSeconds: 30 }, async ([job]) => {
    const link = job ? await services.links.loadForJob(job.data.linkId) : null;
    if (link?.status === 'PENDING') {
      await services.links.finish(link, { status: 'FAILED', error: 'gave up after repeated attempts' });
    }
  });
  const sweeper = startLinkSweeper({
    links: services.links,
    enqueue: (links) => enqueueLinkJobs(boss, null, links),
    logger,
    everyMs: config.links.sweepSeconds * 1000,
    afterSeconds: config.links.sweepSeconds,
  });
  await startStoryExpiryWorker(boss, services.stories, logger.child({ module: 'stories' }));
  await startEventPruner(boss, runtime.outbox, config.eventRetentionHours, logger.child({ module: 'outbox' }));
  return {
    /**
     * Stops first attempts and taking jobs; hands over the attempts still going
     * after `HAND_OVER_MS`, and gives the jobs in hand up to `STOP_GRACE_MS`
     * (pg-boss fails those it has not seen finish, for a retry elsewhere); then cuts off whatever still fetches or waits
     * on extraction (its attempt lets go of the page: a retry, pg-boss's or its
     * own, or the sweep finishes the link), so a stop stays inside the process's
     * shutdown deadline.
     */
    async stop() {
      sweeper.stop();
      const jobsDone = Promise.allSettled([
        boss.offWork(LINK_QUEUE, { wait: true }),
        boss.offWork(LINK_DEAD_LETTER_QUEUE, { wait: true }),
        boss.offWork(STORY_EXPIRY_QUEUE, { wait: true }),
        boss.offWork(PRUNE_EVENTS_QUEUE, { wait: true }),
      ]);
      await Promise.all([runtime.linkJobs.stopAttempts(HAND_OVER_MS), within(jobsDone, STOP_GRACE_MS)]);
      await fetch.destroy();
      await extraction.close();
      // The jobs cut off settle at once (their fetch or extraction has failed); the bound is for one that does not.
      await within(jobsDone, 1_000);
      logger.info('workers stopped');
    },
  };
}
