import type { Logger } from '../../../logger.ts';
import type { LinkRow } from '../tables.ts';

/** Link jobs handed over after their posts committed, inserted together. */
export interface LinkJobBatcher {
  /** Queues the links' jobs for the next insert; never throws (a lost insert is the sweep's to redo). */
  add(links: LinkRow[]): void;
  /** Resolves once everything added so far is inserted, or has failed (logged; tried again later if the process lives). */
  flush(): Promise<void>;
}

/** Jobs one insert carries at most. */
const MAX_BATCH = 500;
/** Links whose insert failed, kept to try again; past this many, the sweep has the rest. */
const MAX_RETRYING = 20_000;
/** Tries of one batch before the sweep is left to it: about a minute and a half of back-off. */
const MAX_TRIES = 10;

/**
 * Gathers the jobs of posts committed in the same turn of the event loop into
 * one insert: one statement (and one wake-up NOTIFY) for many posts, instead
 * of one inside each post's transaction. Posts are not kept waiting on it. An
 * insert that fails (the database away for a moment) is tried again, with
 * back-off, for about a minute and a half; a process that dies between a
 * commit and the insert leaves PENDING links without a job: the link sweeper
 * (sweep.ts) enqueues them.
 */
export function createLinkJobBatcher(insert: (links: LinkRow[]) => Promise<void>, logger: Logger): LinkJobBatcher {
  let pending: LinkRow[] = [];
  let scheduled: Promise<void> | null = null;
  const inFlight = new Set<Promise<void>>();
  let retrying = 0;

  function attempt(chunk: LinkRow[], tries: number): void {
    const done: Promise<void> = insert(chunk)
      .catch((err: Error) => {
        if (tries + 1 >= MAX_TRIES || retrying + chunk.length > MAX_RETRYING) {
          logger.warn({ err: err.message, links: chunk.length }, 'enqueueing link jobs failed; the sweep will');
          return;
        }
        logger.warn({ err: err.message, links: chunk.length, tries: tries + 1 }, 'enqueueing link jobs failed; trying again');
        retrying += chunk.length;
        setTimeout(() => {
          retrying -= chunk.length;
          attempt(chunk, tries + 1);
        }, Math.min(15_000, 500 * 2 ** tries)).unref();
      })
      .finally(() => inFlight.delete(done));
    inFlight.add(done);
  }

  function run(): void {
    scheduled = null;
    const batch = pending;
    pending = [];
    for (let i = 0; i < batch.length; i += MAX_BATCH) attempt(batch.slice(i, i + MAX_BATCH), 0);
  }

  return {
    add(links) {
      if (links.length === 0) return;
      pending.push(...links);
      scheduled ??= new Promise<void>((resolve) =>
        setImmediate(() => {
          run();
          resolve();
        }),
      );
    },
    async flush() {
      if (scheduled) await scheduled;
      await Promise.all(inFlight);
    },
  };
}
