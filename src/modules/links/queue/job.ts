import { sql } from 'drizzle-orm';
import { fromDrizzle, type PgBoss } from 'pg-boss';
import { z } from 'zod';
import type { Executor } from '../../../db/client.ts';
import type { Logger } from '../../../logger.ts';
import type { HostRoom } from './host-room.ts';
import { hostOf } from '../normalize.ts';
import type { Extract } from '../extract/pool.ts';
import type { ProviderRegistry } from '../preview/oembed-providers.ts';
import type { SafeFetch } from '../fetch/safe-fetch.ts';
import type { LinkService } from '../service.ts';
import type { LinkRow } from '../tables.ts';
import { activeTraceparent } from '../../../observability/trace-context.ts';

export const LINK_QUEUE = 'link-metadata';
export const LINK_DEAD_LETTER_QUEUE = 'link-metadata-dead';

const payload = z.object({
  linkId: z.uuid(),
  /** Skip the cache: `refreshLinkMetadata` asked for a new fetch. */
  refresh: z.boolean().optional(),
  /** The trace the link was created in (a W3C traceparent), when traced: the job continues it. */
  trace: z.string().max(128).optional(),
});
export type LinkJob = z.infer<typeof payload>;

/** A job's data as the queue hands it back, checked. */
export const parseLinkJob = (data: unknown): LinkJob => payload.parse(data);

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
      data: payload.parse({ linkId: link.id, ...(refresh ? { refresh } : {}), trace: linkTraces.get(link) ?? active }),
      singletonKey: link.id,
      group: { id: hostOf(link.url) },
    })),
    tx ? { db: fromDrizzle(tx as never, sql) } : {},
  );
}

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

/** How long a job may run before pg-boss takes its worker for dead: a page, then its oEmbed and icon (a manifest, then
 * a favicon), each within the fetch deadline. A page's fetch is held as long. */
export function jobExpirySeconds(settings: Pick<LinkJobSettings, 'timeoutMs'>): number {
  return Math.ceil(settings.timeoutMs / 1000) * 3 + 10;
}
