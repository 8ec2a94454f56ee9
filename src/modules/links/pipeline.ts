import { within } from '../../lib/within.ts';
import type { WorkerDeps } from '../module.ts';
import { createExtractionPool } from './extract/pool.ts';
import { firstLinkAttempt, type LinkHandOff } from './queue/first-attempts.ts';
import { createHostRoom } from './queue/host-room.ts';
import { enqueueLinkJobs, LINK_DEAD_LETTER_QUEUE, LINK_QUEUE, type LinkWorkerDeps, linkJobSettings } from './queue/job.ts';
import { startLinkWorkers } from './queue/workers.ts';
import { loadProviderRegistry } from './preview/oembed-providers.ts';
import { createSafeFetch } from './fetch/safe-fetch.ts';
import type { LinkService } from './service.ts';
import { startLinkSweeper } from './queue/sweep.ts';
import { parseAllowList } from './fetch/url-policy.ts';

export const USER_AGENT = 'PlazaBot/0.1 (link previews; +https://github.com/plaza/plaza)';

/** How long a stop waits for the jobs in hand, within the process's 10 s shutdown deadline. */
const STOP_GRACE_MS = 5_000;
/** How long first attempts get at stop before those still going are handed over (claims let go, links queued). */
const HAND_OVER_MS = 2_000;

/**
 * The link pipeline's workers in a process that runs them: the safe fetcher,
 * the extraction threads, the queue's jobs, first attempts at the links of
 * posts committed here (the hand-off the services made), the sweep of links
 * a crash left without a job, and the dead-letter worker that fails a link
 * whose every attempt was lost (a worker killed mid-fetch), so no spinner
 * waits forever.
 */
export async function startLinkPipeline({ config, logger, boss, services }: WorkerDeps): Promise<{ stop(): Promise<void> }> {
  const links = services.links as LinkService;
  const handOff = services.linkJobs as LinkHandOff;
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
  const deps: LinkWorkerDeps = {
    extract: extraction.extract,
    providers: loadProviderRegistry(config.links.oembedProvidersFile),
    boss,
    links,
    fetch,
    logger,
    settings: linkJobSettings(config.links),
    concurrency: config.links.workers,
    pollSeconds: config.jobPollSeconds,
    hostRoom: createHostRoom(),
  };
  await startLinkWorkers(deps);
  // The links of posts committed here are attempted here first, as many at once as the queue's jobs.
  handOff.attemptHere(firstLinkAttempt(deps), config.links.workers, (link) => links.releaseFetch(link));
  await boss.work<{ linkId: string }>(LINK_DEAD_LETTER_QUEUE, { pollingIntervalSeconds: 30 }, async ([job]) => {
    const link = job ? await links.loadForJob(job.data.linkId) : null;
    if (link?.status === 'PENDING') await links.finish(link, { status: 'FAILED', error: 'UNEXPECTED' });
  });
  const sweeper = startLinkSweeper({
    links,
    enqueue: (found) => enqueueLinkJobs(boss, null, found),
    logger,
    everyMs: config.links.sweepSeconds * 1000,
    afterSeconds: config.links.sweepSeconds,
  });
  return {
    /**
     * Stops first attempts and taking jobs; hands over the attempts still
     * going after `HAND_OVER_MS`, and gives the jobs in hand up to
     * `STOP_GRACE_MS` (pg-boss fails those it has not seen finish, for a retry
     * elsewhere); then cuts off whatever still fetches or waits on extraction,
     * so a stop stays inside the process's shutdown deadline.
     */
    async stop() {
      sweeper.stop();
      const jobsDone = Promise.allSettled([boss.offWork(LINK_QUEUE, { wait: true }), boss.offWork(LINK_DEAD_LETTER_QUEUE, { wait: true })]);
      await Promise.all([handOff.stopAttempts(HAND_OVER_MS), within(jobsDone, STOP_GRACE_MS)]);
      await fetch.destroy();
      await extraction.close();
      // The jobs cut off settle at once (their fetch or extraction has failed); the bound is for one that does not.
      await within(jobsDone, 1_000);
    },
  };
}
