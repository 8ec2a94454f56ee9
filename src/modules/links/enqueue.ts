import type { Logger } from '../../logger.ts';
import type { LinkRow } from './tables.ts';

/** Link jobs handed over after their posts committed, inserted together. */
export interface LinkJobBatcher {
  /** Queues the links' jobs for the next insert; never throws (a lost insert is the sweep's to redo). */
  add(links: LinkRow[]): void;
  /** Resolves once everything added so far is inserted (or has failed and been logged). */
  flush(): Promise<void>;
}

/** Jobs one insert carries at most. */
const MAX_BATCH = 500;

/**
 * Gathers the jobs of posts committed in the same turn of the event loop into
 * one insert: one statement (and one wake-up NOTIFY) for many posts, instead
 * of one inside each post's transaction. Posts are not kept waiting on it. A
 * process that dies between a commit and the insert leaves PENDING links
 * without a job: the link sweeper (job.ts) enqueues them.
 */
export function createLinkJobBatcher(insert: (links: LinkRow[]) => Promise<void>, logger: Logger): LinkJobBatcher {
  let pending: LinkRow[] = [];
  let scheduled: Promise<void> | null = null;
  const inFlight = new Set<Promise<void>>();

  function run(): void {
    scheduled = null;
    const batch = pending;
    pending = [];
    for (let i = 0; i < batch.length; i += MAX_BATCH) {
      const chunk = batch.slice(i, i + MAX_BATCH);
      const done: Promise<void> = insert(chunk)
        .catch((err: Error) => logger.warn({ err: err.message, links: chunk.length }, 'enqueueing link jobs failed; the sweep will'))
        .finally(() => inFlight.delete(done));
      inFlight.add(done);
    }
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
