import type { Logger } from '../../../logger.ts';
import { inSpan, SpanKind } from '../../../observability/trace-context.ts';
import { FetchError } from '../fetch/fetch-errors.ts';
import { BlockedUrlError } from '../fetch/url-policy.ts';
import { hostOf } from '../normalize.ts';
import { buildPreview } from '../preview/preview.ts';
import type { LinkForJob } from '../service.ts';
import type { LinkRow } from '../tables.ts';
import { hostBusy, waitForRoom } from './host-room.ts';
import { jobExpirySeconds, LINK_QUEUE, type LinkJob, type LinkWorkerDeps, parseLinkJob } from './job.ts';

/** The longest Retry-After honoured; a site asking for more has failed this link. */
const MAX_RETRY_AFTER_SECONDS = 3_600;

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
  const data = parseLinkJob(job.data);
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
