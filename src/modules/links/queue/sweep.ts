import type { Logger } from '../../../logger.ts';
import type { LinkService } from '../service.ts';
import type { LinkRow } from '../tables.ts';

export interface LinkSweepDeps {
  links: Pick<LinkService, 'pendingSince'>;
  /** Enqueues jobs for links; a link that already has one waiting is left as it is (the queue's stately policy). */
  enqueue: (links: LinkRow[]) => Promise<void>;
  logger: Logger;
  everyMs?: number;
  /** How long a link may stay PENDING before it is given a job again; default 30 s. */
  afterSeconds?: number;
}

/**
 * A post's links get a first attempt in the process that committed it, or
 * their jobs inserted just after the commit; a process that dies in between,
 * or mid-attempt, leaves links PENDING with no job. Every `everyMs` this
 * enqueues jobs for links PENDING longer than `afterSeconds` whose page no
 * attempt holds (a dead attempt's claim expires as its job would have): the
 * queue keeps one waiting job per link, so a link whose job is queued or
 * waiting to retry gets no second one; one whose job is running gets one more,
 * which finds the link finished and ends.
 */
export function startLinkSweeper({ links, enqueue, logger, everyMs = 30_000, afterSeconds = 30 }: LinkSweepDeps): { stop(): void } {
  const log = logger.child({ module: 'link-sweep' });
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    links
      .pendingSince(afterSeconds, 1_000)
      .then(async (found) => {
        if (found.length === 0) return;
        await enqueue(found);
        log.info({ links: found.length }, 'enqueued jobs for links still pending');
      })
      .catch((err: Error) => log.warn({ err: err.message }, 'link sweep failed'))
      .finally(() => {
        running = false;
      });
  }, everyMs);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
