import { within } from '../../../lib/within.ts';
import type { Logger } from '../../../logger.ts';
import type { LinkJobBatcher } from './enqueue.ts';
import { FetchError } from '../fetch/fetch-errors.ts';
import { later, type LinkAttempt, processLinkJob } from './attempt.ts';
import { type LinkWorkerDeps, noteLinkTraces } from './job.ts';
import { hostOf } from '../normalize.ts';
import type { LinkRow } from '../tables.ts';

/** A first attempt at a committed link; resolves false when the link must go to the queue instead. */
export type AttemptLink = (link: LinkRow) => Promise<boolean>;

/** What became of a committed link's first attempt (metrics): `skipped` went to the queue without one. */
export type FirstAttemptOutcome = 'done' | 'host-busy' | 'error' | 'skipped';

/** Where a committed post's links go: a first attempt in this process when it runs link workers, else the queue. */
export interface LinkHandOff extends LinkJobBatcher {
  /**
   * From now on, links are attempted here first, at most `max` at a time; the
   * others are queued. `release` lets go of a link's page claim (an attempt
   * handed over at stop).
   */
  attemptHere(attempt: AttemptLink, max: number, release: (link: LinkRow) => Promise<void>): void;
  /**
   * Back to the queue only; resolves once the attempts under way have ended,
   * or after `graceMs`: those still going are handed over then, their claims
   * let go and their links queued, for another process to take at once.
   */
  stopAttempts(graceMs?: number): Promise<void>;
}

/**
 * Hands a committed post's links over. In a process with link workers, each
 * is attempted at once (`firstLinkAttempt`): no job insert, no
 * NOTIFY, no fetch from the queue before the page is requested. What the
 * attempt cannot finish (the host busy, a transient failure, an error) ends in
 * the queue; a process that dies mid-attempt leaves the link PENDING with its
 * page's claim, and once the claim expires the link sweeper enqueues it, as it
 * does for a process that died before the queue's insert. Past `max` attempts
 * at once, links go straight to the queue, and so do those of a host with an
 * attempt under way here (a first attempt needs an idle host: a burst of one
 * site's links costs one claim, not one per link).
 */
export function createLinkHandOff(queue: LinkJobBatcher, logger: Logger, onOutcome?: (outcome: FirstAttemptOutcome) => void): LinkHandOff {
  const log = logger.child({ module: 'first-attempts' });
  let attempt: AttemptLink | null = null;
  let release: ((link: LinkRow) => Promise<void>) | null = null;
  let max = 0;
  const running = new Map<Promise<void>, LinkRow>();
  const hosts = new Set<string>();
  let abandoned = false;

  function start(run: AttemptLink, link: LinkRow, host: string): void {
    hosts.add(host);
    const done: Promise<void> = run(link)
      .then(
        (finished) => {
          onOutcome?.(finished ? 'done' : 'host-busy');
          if (!finished) queue.add([link]);
        },
        (err: Error) => {
          onOutcome?.('error');
          log.warn({ err: err.message, linkId: link.id }, 'first attempt failed; the queue takes the link');
          queue.add([link]);
        },
      )
      .finally(() => {
        running.delete(done);
        hosts.delete(host);
      });
    running.set(done, link);
  }

  return {
    add(links) {
      // Traced: the links keep the trace they were created in, for the jobs inserted later in a batch.
      noteLinkTraces(links);
      const rest: LinkRow[] = [];
      for (const link of links) {
        const host = hostOf(link.url);
        if (attempt && running.size < max && !hosts.has(host)) start(attempt, link, host);
        else rest.push(link);
      }
      if (attempt) for (let i = 0; i < rest.length; i++) onOutcome?.('skipped');
      queue.add(rest);
    },
    async flush() {
      // The attempts under way first (they may hand their links to the queue), unless stopAttempts gave up on them.
      if (!abandoned) await Promise.all(running.keys());
      await queue.flush();
    },
    attemptHere(run, most, letGo) {
      attempt = run;
      release = letGo;
      max = most;
    },
    async stopAttempts(graceMs = 5_000) {
      attempt = null;
      if (await within(Promise.all(running.keys()), graceMs)) return;
      abandoned = true;
      // A planned stop hands over what it will not finish: without, the links would wait for their claims to
      // expire and the sweep to find them (a minute and more), and a host's claims would hold its other links too.
      const left = [...running.values()];
      log.warn({ attempts: left.length }, 'first attempts still running at stop: handed over to the queue');
      await Promise.all(left.map((link) => release?.(link).catch((err: Error) => log.warn({ err: err.message, linkId: link.id }, 'letting go of a claim failed'))));
      queue.add(left);
    },
  };
}

/**
 * The first attempt at a link, made at once by the process that committed its
 * post: the job's work (attempt.ts), with all its retries left, but only while the
 * host holds no other claim (the host's queued jobs are not overtaken).
 * Resolves false when the queue must take the link (its host busy); a
 * transient failure is handed to the queue as the job's first retry, after the
 * retry delay.
 */
export function firstLinkAttempt(deps: LinkWorkerDeps): AttemptLink {
  const log = deps.logger.child({ module: 'link-worker', attempt: 'first' });
  return async (link) => {
    const attempt: LinkAttempt = { data: { linkId: link.id }, retryLimit: deps.settings.retryLimit, retryCount: 0 };
    try {
      return (await processLinkJob(deps, attempt, log, { onlyIdleHost: true })) === 'done';
    } catch (err) {
      if (!(err instanceof FetchError && err.kind === 'transient')) throw err;
      // With no retry left, the failure is already written; else the page's claim was let go and a job retries it.
      if (attempt.retryLimit > 0) await later(deps, attempt, link, deps.settings.retryDelaySeconds, attempt.retryLimit - 1);
      return true;
    }
  };
}
