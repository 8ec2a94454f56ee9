import { sql } from 'drizzle-orm';
import { fromDrizzle, type JobWithMetadata, type PgBoss } from 'pg-boss';
import { z } from 'zod';
import type { Executor } from '../../../db/client.ts';
import type { Logger } from '../../../logger.ts';
import { FetchError } from '../fetch/fetch-errors.ts';
import { type HostRoom, hostBusy, waitForRoom } from './host-room.ts';
import { hostOf } from '../normalize.ts';
import type { Extract } from '../extract/pool.ts';
import type { ProviderRegistry } from '../preview/oembed-providers.ts';
import { buildPreview } from '../preview/preview.ts';
import type { SafeFetch } from '../fetch/safe-fetch.ts';
import type { LinkForJob, LinkService } from '../service.ts';
import type { LinkRow } from '../tables.ts';
import { BlockedUrlError } from '../fetch/url-policy.ts';
import { activeTraceparent, inSpan, SpanKind } from '../../../observability/trace-context.ts';

export const LINK_QUEUE = 'link-metadata';
export const LINK_DEAD_LETTER_QUEUE = 'link-metadata-dead';
/** The longest Retry-After honoured; a site asking for more has failed this link. */
const MAX_RETRY_AFTER_SECONDS = 3_600;

const payload = z.object({
  linkId: z.uuid(),
  /** Skip the cache: `refreshLinkMetadata` asked for a new fetch. */
  refresh: z.boolean().optional(),
  /** The trace the link was created in (a W3C traceparent), when traced: the job continues it. */
  trace: z.string().max(128).optional(),
});
export type LinkJob = z.infer<typeof payload>;

export interface LinkJobSettings {
  /** Jobs of one host running at once, cluster-wide (`LINK_FETCH_PER_HOST`). */
  perHost: number;
  retryLimit: number;
  retryDelaySeconds: number;
  timeoutMs: number;
  cacheTtlSeconds: number;
}

/** The job settings out of the link settings (config.ts). */
export function linkJobSettings(links: LinkJobSettings): LinkJobSettings {
  const { perHost, retryLimit, retryDelaySeconds, timeoutMs, cacheTtlSeconds } = links;
  return { perHost, retryLimit, retryDelaySeconds, timeoutMs, cacheTtlSeconds };
}

/** Creates the queue and its dead-letter queue; safe to call on every start. */
export async function createLinkQueues(boss: PgBoss, settings: LinkJobSettings): Promise<void> {
  await boss.createQueue(LINK_DEAD_LETTER_QUEUE, { retentionSeconds: 30 * 24 * 3600 });
  const options = {
    retryLimit: settings.retryLimit,
    retryDelay: settings.retryDelaySeconds,
    retryBackoff: true,
    retryDelayMax: 600,
    // Past this a job's worker is taken for dead and the job retried.
    expireInSeconds: jobExpirySeconds(settings),
    // A job whose worker stopped renewing it for this long is failed (and retried) at the next supervision, long
    // before it would expire: its worker died, or its outcome was lost (the database went away as it was written).
    heartbeatSeconds: JOB_HEARTBEAT_SECONDS,
    deadLetter: LINK_DEAD_LETTER_QUEUE,
    notify: true,
  };
  // One job per link may be queued and one active: a link is never fetched twice at once.
  await boss.createQueue(LINK_QUEUE, { policy: 'stately', ...options });
  // A queue made by an earlier version gets today's settings too.
  await boss.updateQueue(LINK_QUEUE, options);
}

/** Seconds without a heartbeat after which a link job is taken for lost (pg-boss's least). */
export const JOB_HEARTBEAT_SECONDS = 10;

/** The trace each link handed over after its commit was created in (traced only), for its job (noteLinkTraces). */
const linkTraces = new WeakMap<LinkRow, string>();

/** Remembers the active trace as the links' own: their jobs, inserted later in a batch, continue it. */
export function noteLinkTraces(links: readonly LinkRow[]): void {
  const trace = activeTraceparent();
  if (trace !== undefined) for (const link of links) linkTraces.set(link, trace);
}

/** Enqueues one job per link, inside the caller's transaction when given one. */
export async function enqueueLinkJobs(boss: PgBoss, tx: Executor | null, created: LinkRow[], refresh = false): Promise<void> {
  if (created.length === 0) return;
  const active = activeTraceparent();
  await boss.insert(
    LINK_QUEUE,
    created.map((link) => ({
      data: payload.parse({ linkId: link.id, ...(refresh ? { refresh } : {}), ...traceField(linkTraces.get(link) ?? active) }),
      singletonKey: link.id,
      group: { id: hostOf(link.url) },
    })),
    tx ? { db: fromDrizzle(tx as never, sql) } : {},
  );
}

const traceField = (trace: string | undefined) => (trace === undefined ? {} : { trace });

export interface LinkWorkerDeps {
  boss: PgBoss;
  links: LinkService;
  fetch: SafeFetch;
  logger: Logger;
  settings: LinkJobSettings;
  concurrency: number;
  pollSeconds: number;
  /** Page extraction, in worker threads (extract/pool.ts). */
  extract?: Extract;
  /** oEmbed providers a URL is matched against (oembed-providers.ts). */
  providers?: ProviderRegistry;
  /** Where jobs wait for room on a full host (host-room.ts); one per process. */
  hostRoom: HostRoom;
}

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

/** How long a job may run before pg-boss takes its worker for dead: a page, then its oEmbed and icon (a manifest, then
 * a favicon), each within the fetch deadline. A page's fetch is held as long. */
export function jobExpirySeconds(settings: Pick<LinkJobSettings, 'timeoutMs'>): number {
  return Math.ceil(settings.timeoutMs / 1000) * 3 + 10;
}

/**
 * One attempt at a link: a pg-boss job, or the first attempt the process that
 * committed the post makes at once (first-attempts.ts), which has all its
 * retries left.
 */
export interface LinkAttempt {
  data: LinkJob;
  retryLimit: number;
  retryCount: number;
  /** Aborted when the attempt must stop waiting (pg-boss stopping the job). */
  signal?: AbortSignal;
}

/** Runs the job again later, as a new job with the retries it has left: waiting is not failing. */
export async function later(deps: Pick<LinkWorkerDeps, 'boss'>, job: LinkAttempt, link: LinkRow, seconds: number, retryLimit?: number): Promise<void> {
  await deps.boss.send(LINK_QUEUE, job.data, {
    startAfter: Math.max(1, Math.ceil(seconds)),
    singletonKey: link.id,
    group: { id: hostOf(link.url) },
    retryLimit: retryLimit ?? Math.max(0, job.retryLimit - job.retryCount),
  });
}

/**
 * One link: cached preview, or fetch and extract; then exactly one final
 * state, written and announced once. A page is fetched once at a time
 * cluster-wide: the job that claims it finishes every link waiting on it, the
 * others come back when the claim would have expired (by then finished, or
 * free to claim if its holder died). A host's claims are held to
 * `LINK_FETCH_PER_HOST` cluster-wide; pg-boss also starts no more than that
 * many of one host's jobs at once, so the few that find the host full (first
 * attempts hold it) wait for room in place rather than going round the queue.
 * Transient failures throw so pg-boss retries the job with backoff; the last
 * one is written FAILED and dead-lettered. With `onlyIdleHost` (a first
 * attempt), a host holding any claim answers 'host-busy' and nothing is done.
 */
export function processLinkJob(
  deps: LinkWorkerDeps,
  job: LinkAttempt,
  log: Logger,
  options: { onlyIdleHost?: boolean } = {},
): Promise<'done' | 'host-busy'> {
  const data = payload.parse(job.data);
  // Traced: the job's span continues the trace its link was created in (a first attempt runs inside it already).
  return inSpan(
    'link.job',
    { parent: data.trace, kind: SpanKind.CONSUMER, attributes: { 'plaza.link.id': data.linkId, 'plaza.job.retry': job.retryCount, 'plaza.job.first_attempt': options.onlyIdleHost === true } },
    (span) => runLinkJob(deps, job, data, log, options).then((outcome) => {
      span?.setAttribute('plaza.job.outcome', outcome);
      return outcome;
    }),
  );
}

async function runLinkJob(
  deps: LinkWorkerDeps,
  job: LinkAttempt,
  data: LinkJob,
  log: Logger,
  { onlyIdleHost = false }: { onlyIdleHost?: boolean },
): Promise<'done' | 'host-busy'> {
  const startJob = () =>
    deps.links.startJob(data.linkId, {
      refresh: data.refresh === true,
      ttlSeconds: deps.settings.cacheTtlSeconds,
      claimSeconds: jobExpirySeconds(deps.settings),
      perHost: deps.settings.perHost,
      onlyIdleHost,
    });
  const claim = () => inSpan('link.claim', {}, async () => {
    const start = await startJob();
    // A fetch of the page finished as the claim was taken: its preview is read now, from the cache.
    return start.link && !start.cached && start.claim.state === 'recheck' ? startJob() : start;
  });
  const first = await claim();
  if (onlyIdleHost && hostBusy(first)) return 'host-busy';
  const start = await waitForRoom(deps.hostRoom, first, claim, job.signal);
  if (hostBusy(start)) {
    // Waited long enough: the queue takes the job back.
    await later(deps, job, start.link, 1);
    return 'done';
  }
  // Gone (post deleted).
  if (!start.link) return 'done';
  const { link } = start;
  if (start.cached) {
    await deps.links.finish(link, { status: 'READY', metadata: start.cached.metadata, fetchedAt: start.cached.fetchedAt });
    log.debug({ linkId: link.id }, 'preview from cache');
    return 'done';
  }
  // Already final (this job ran before and was cut off after writing), or finished by another link's fetch.
  if (start.claim.state === 'done') return 'done';
  if (start.claim.state === 'recheck') {
    // Twice in a row (the preview aged past the cache's life in between): come back shortly.
    await later(deps, job, link, 1);
    return 'done';
  }
  if (start.claim.state === 'busy') {
    await later(deps, job, link, start.claim.waitSeconds + 1);
    log.debug({ linkId: link.id, waitSeconds: start.claim.waitSeconds }, 'page being fetched for another link: waiting on it');
    return 'done';
  }
  try {
    await fetchAndFinish(deps, job, link, log);
  } finally {
    deps.hostRoom.freed(hostOf(link.url));
  }
  return 'done';
}

/** The claimed fetch, its outcome written for every link waiting on the page. */
async function fetchAndFinish(deps: LinkWorkerDeps, job: LinkAttempt, link: LinkForJob, log: Logger): Promise<void> {
  try {
    const metadata = await buildPreview(deps, link.url);
    const moved = await inSpan('link.finish', {}, () => deps.links.finishAll(link, { status: 'READY', metadata }));
    log.info({ linkId: link.id, links: moved }, 'preview ready');
  } catch (err) {
    // Users see a category (fetch-errors.ts); what went wrong, and where, goes to the log only.
    if (err instanceof BlockedUrlError) {
      await deps.links.finishAll(link, { status: 'BLOCKED', error: 'BLOCKED' });
      log.warn({ linkId: link.id, url: link.url, reason: err.message }, 'link blocked');
      return;
    }
    if (err instanceof FetchError && err.kind === 'transient') {
      const retriesLeft = job.retryLimit - job.retryCount;
      if (retriesLeft > 0 && err.retryAfterSeconds !== undefined) {
        if (err.retryAfterSeconds > MAX_RETRY_AFTER_SECONDS) {
          await deps.links.finishAll(link, { status: 'FAILED', error: err.category });
          log.warn({ linkId: link.id, reason: err.message, retryAfter: err.retryAfterSeconds }, 'site asked to wait too long');
          return;
        }
        // The site said when to come back: a fresh job then, carrying the retries that are left.
        await deps.links.releaseFetch(link);
        await later(deps, job, link, err.retryAfterSeconds, retriesLeft - 1);
        log.info({ linkId: link.id, retryAfter: err.retryAfterSeconds }, 'site asked to retry later');
        return;
      }
      if (retriesLeft <= 0) {
        await deps.links.finishAll(link, { status: 'FAILED', error: err.category });
        log.warn({ linkId: link.id, url: link.url, reason: err.message }, 'link failed after retries');
      } else {
        await deps.links.releaseFetch(link);
      }
      // pg-boss retries it, or moves it to the dead-letter queue when none are left.
      throw err;
    }
    if (err instanceof FetchError) log.info({ linkId: link.id, url: link.url, reason: err.message }, 'link failed');
    else log.error({ err, linkId: link.id }, 'unexpected error building a preview');
    await deps.links.finishAll(link, { status: 'FAILED', error: err instanceof FetchError ? err.category : 'UNEXPECTED' });
  }
}
