import type { JobWithMetadata } from 'pg-boss';
import { processLinkJob } from './attempt.ts';
import { JOB_HEARTBEAT_SECONDS, LINK_QUEUE, type LinkJob, type LinkWorkerDeps } from './job.ts';

/** Jobs one fetch from the queue takes at most; its jobs run at once. */
const MAX_BATCH = 8;

/**
 * Runs up to `concurrency` link jobs at once in this process: loops that each
 * take a batch of jobs from the queue and run them together. A full batch
 * fetches the next one at once (pg-boss's burst); only an empty queue waits
 * for the poll or a NOTIFY. Each job's outcome is its own: one that failed
 * for a moment is retried without its batch.
 */
export async function startLinkWorkers(deps: LinkWorkerDeps): Promise<void> {
  const log = deps.logger.child({ module: 'link-worker' });
  const { loops, batchSize } = workerLoops(deps.concurrency, deps.settings.perHost);
  await deps.boss.work<LinkJob>(
    LINK_QUEUE,
    {
      localConcurrency: loops,
      batchSize,
      groupConcurrency: deps.settings.perHost,
      burstWhenBatchFull: true,
      heartbeatRefreshSeconds: JOB_HEARTBEAT_SECONDS / 3,
      perJobResults: true,
      includeMetadata: true,
      pollingIntervalSeconds: deps.pollSeconds,
      notifyPollingIntervalSeconds: Math.max(deps.pollSeconds, 0.5),
    },
    (jobs) =>
      Promise.all(
        jobs.map((job) =>
          processLinkJob(deps, job as JobWithMetadata<LinkJob>, log).then(
            () => ({ id: job.id, status: 'completed' as const }),
            (err: Error) => ({ id: job.id, status: 'failed' as const, output: { message: err.message } }),
          ),
        ),
      ),
  );
  log.info({ concurrency: deps.concurrency, loops, batchSize, perHost: deps.settings.perHost }, 'link workers started');
}

/**
 * How `concurrency` jobs are taken: `loops` each running a batch at a time, a
 * batch ending when its slowest job does. A batch holds `perHost` jobs (at
 * most 8): a fetch that comes back full fetches again as soon as its batch
 * is done (pg-boss's burst), and a queue of one site's links, which can give
 * no more than `perHost` at a time, comes back full too: it drains at the
 * pace of its pages, not of the poll. A host's jobs hold at most `perHost`
 * loops; with at least twice as many, one slow site leaves half the workers
 * or more to the others.
 */
export function workerLoops(concurrency: number, perHost: number): { loops: number; batchSize: number } {
  const batchSize = Math.max(1, Math.min(perHost, MAX_BATCH, concurrency));
  return { loops: Math.max(Math.ceil(concurrency / batchSize), Math.min(concurrency, perHost * 2)), batchSize };
}
