import type { Logger } from '../../logger.ts';
import type { LinkJobBatcher } from './enqueue.ts';
import { hostOf } from './job.ts';
import type { LinkRow } from './tables.ts';

/** A first attempt at a committed link; resolves false when the link must go to the queue instead. */
export type AttemptLink = (link: LinkRow) => Promise<boolean>;

/** What became of a committed link's first attempt (metrics): `skipped` went to the queue without one. */
export type FirstAttemptOutcome = 'done' | 'host-busy' | 'error' | 'skipped';

/** Where a committed post's links go: a first attempt in this process when it runs link workers, else the queue. */
export interface LinkHandOff extends LinkJobBatcher {
  /** From now on, links are attempted here first, at most `max` at a time; the others are queued. */
  attemptHere(attempt: AttemptLink, max: number): void;
  /**
   * Back to the queue only; resolves once the attempts under way have ended,
   * or after `graceMs` (those still going are left to their claims' expiry and the sweep).
   */
  stopAttempts(graceMs?: number): Promise<void>;
}

/**
 * Hands a committed post's links over. In a process with link workers, each
 * is attempted at once (job.ts, `firstLinkAttempt`): no job insert, no
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
  let max = 0;
  const running = new Set<Promise<void>>();
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
    running.add(done);
  }

  return {
    add(links) {
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
      if (!abandoned) await Promise.all(running);
      await queue.flush();
    },
    attemptHere(run, most) {
      attempt = run;
      max = most;
    },
    async stopAttempts(graceMs = 5_000) {
      attempt = null;
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<void>((resolve) => {
        timer = setTimeout(() => {
          if (running.size > 0) log.warn({ attempts: running.size }, 'first attempts still running at stop; the sweep will take their links');
          abandoned = true;
          resolve();
        }, graceMs);
      });
      await Promise.race([Promise.all(running), late]);
      clearTimeout(timer);
    },
  };
}
