import { and, eq, inArray, type SQL, sql } from 'drizzle-orm';
import type { Database, Executor } from '../../db/client.ts';
import { commitWithoutFlush } from '../../db/async-commit.ts';
import { forbidden, notFound } from '../../lib/errors.ts';
import { isUuid } from '../../lib/validate.ts';
import { resumeAfter } from '../../realtime/stream-cursor.ts';
import type { Outbox } from '../../realtime/outbox.ts';
import type { Streams } from '../../realtime/streams.ts';
import { posts } from '../posts/tables.ts';
import type { ReadableIn } from '../sections/access.ts';
import { type LinkTopics, linkEventJson } from './events.ts';
import { claimOf, type FetchClaim, jobLink, type JobStartRow, type LinkForJob } from './job-row.ts';
import { type LinkMetadataJson, type LinkRow, linkFetches, links } from './tables.ts';

export type { FetchClaim, LinkForJob } from './job-row.ts';

export type LinkOutcome =
  | { status: 'READY'; metadata: LinkMetadataJson; fetchedAt?: Date }
  | { status: 'FAILED' | 'BLOCKED'; error: string };


/** How `startJob` claims a fetch. */
export interface ClaimOptions {
  /** Skip the cache: `refreshLinkMetadata` asked for a new fetch. */
  refresh: boolean;
  /** A preview of the same page this recent is reused. */
  ttlSeconds: number;
  /** How long the claim holds before it is taken for abandoned. */
  claimSeconds: number;
  /** Claims one host may hold at once, cluster-wide (`LINK_FETCH_PER_HOST`). */
  perHost: number;
  /** Claim only if the host holds no claim at all (a first attempt, which must not overtake the host's queue). */
  onlyIdleHost?: boolean;
}

/** Where a link's job starts (`startJob`): nothing to do, a preview of the page from the cache, or the fetch's claim. */
export type JobStart =
  | { link: null }
  | { link: LinkForJob; cached: { metadata: LinkMetadataJson; fetchedAt: Date } }
  | { link: LinkForJob; cached: null; claim: FetchClaim };

/** A link's columns (as `l`) in the statements that read rows whole: never its search vector, which the database keeps for search alone. */
const LINK_COLUMNS = sql.raw('l.id, l.post_id, l.position, l.url, l.normalized_url, l.status, l.metadata, l.error, l.fetched_at, l.created_at');

/** Enqueues fetch jobs for links inside a transaction (wired to pg-boss by the runtime). */
export type EnqueueLinks = (tx: Executor, links: LinkRow[], refresh: boolean) => Promise<void>;

export interface LinkServiceDeps {
  db: Database;
  outbox: Outbox<LinkTopics>;
  streams: Streams<LinkTopics>;
  enqueue: EnqueueLinks;
  /** Told each final state written (metrics). */
  onFinished?: (status: LinkOutcome['status']) => void;
  /** A condition on a post's `section_id`: the viewer may read that section. */
  readableBy: (viewerId: string | null) => ReadableIn;
}

export function createLinkService({ db, outbox, streams, enqueue, onFinished, readableBy }: LinkServiceDeps) {
  async function loadForJob(linkId: string): Promise<LinkForJob | null> {
    if (!isUuid(linkId)) return null;
    const [row] = await db
      .select({ link: links, sectionId: posts.sectionId, authorId: posts.authorId })
      .from(links)
      .innerJoin(posts, eq(posts.id, links.postId))
      .where(eq(links.id, linkId));
    return row ? { ...row.link, sectionId: row.sectionId, authorId: row.authorId } : null;
  }

  /**
   * Moves the links that are still PENDING and match `which` (over `links l`)
   * to the outcome and records one `link:updated` event for each one that
   * moved, in its post's section, in one statement (with `also`, more of it);
   * then numbers the events (one numbering per section). Returns how many moved.
   */
  async function finishWhere(which: SQL, outcome: LinkOutcome, also?: SQL): Promise<number> {
    const values = finalValues(outcome);
    const result = await db.execute<{ key: string }>(sql`
      with moved as (
        update ${links} l set
          status = ${values.status},
          metadata = ${values.metadata ? sql`${JSON.stringify(values.metadata)}::jsonb` : sql`l.metadata`},
          error = ${values.error},
          fetched_at = ${values.fetchedAt.toISOString()}
        from ${posts} p
        where ${which} and l.status = 'PENDING' and p.id = l.post_id
        returning ${LINK_COLUMNS}, p.section_id
      ), added as (
        ${outbox.eventsInsert('link:updated', sql`select m.section_id as key, ${linkEventJson('m')} as payload from moved m`)}
      )${also ?? sql``}
      -- Announced only once numbered below, whose synchronous commit flushes this one first.
      select key, ${commitWithoutFlush} as commit_mode from added`);
    for (const key of new Set(result.rows.map((row) => row.key))) await outbox.number('link:updated', key);
    for (let i = 0; i < result.rows.length; i++) onFinished?.(outcome.status);
    return result.rows.length;
  }

  return {
    loadForJob,

    /** The links among these of posts in sections the viewer may read. */
    async byIds(ids: readonly string[], viewerId: string | null): Promise<LinkRow[]> {
      const valid = ids.filter(isUuid);
      if (valid.length === 0) return [];
      const rows = await db
        .select({ link: links })
        .from(links)
        .innerJoin(posts, eq(posts.id, links.postId))
        .where(and(inArray(links.id, valid), readableBy(viewerId)(posts.sectionId)));
      return rows.map((row) => row.link);
    },

    /** The links of these posts, each post's in its order. */
    async byPostIds(postIds: readonly string[]): Promise<LinkRow[]> {
      if (postIds.length === 0) return [];
      return db.select().from(links).where(inArray(links.postId, [...postIds])).orderBy(links.postId, links.position);
    },

    /**
     * A job's first step in one statement: the link (with its post's section
     * and author), and, if it still waits, a preview of the same page fetched
     * within `ttlSeconds` (unless `refresh`), or else the claim on the page's
     * one fetch for `claimSeconds`, within the host's limit
     * (`plaza_claim_link_fetch`, in the migrations).
     */
    async startJob(linkId: string, { refresh, ttlSeconds, claimSeconds, perHost, onlyIdleHost = false }: ClaimOptions): Promise<JobStart> {
      if (!isUuid(linkId)) return { link: null };
      const useCache = !refresh && ttlSeconds > 0;
      const result = await db.execute<JobStartRow>(sql`
        with link as (
          select ${LINK_COLUMNS}, p.section_id, p.author_id
            from ${links} l join ${posts} p on p.id = l.post_id where l.id = ${linkId}
        ), cached as (
          select c.metadata, c.fetched_at from ${links} c, link
          where ${useCache} and link.status = 'PENDING' and c.normalized_url = link.normalized_url and c.status = 'READY'
            and c.fetched_at > now() - make_interval(secs => ${ttlSeconds})
          order by c.fetched_at desc limit 1
        ), claim as (
          select c.claim_state, c.wait_seconds from link
          cross join lateral plaza_claim_link_fetch(
            link.normalized_url, link.id, ${perHost}::int, ${claimSeconds}::float8, ${onlyIdleHost}, ${useCache}, ${ttlSeconds}::float8
          ) c
          where link.status = 'PENDING' and not exists (select 1 from cached)
        )
        select link.id, link.post_id, link.position, link.url, link.normalized_url, link.status, link.metadata, link.error,
          link.fetched_at, link.created_at, link.section_id, link.author_id,
          cached.metadata as cached_metadata, cached.fetched_at as cached_fetched_at,
          claim.claim_state, claim.wait_seconds,
          -- The claim is a lease: losing it to a crash of PostgreSQL costs at most a second fetch.
          ${commitWithoutFlush} as commit_mode
        from link left join cached on true left join claim on true`);
      const row = result.rows[0];
      if (!row) return { link: null };
      const link = jobLink(row);
      if (link.status !== 'PENDING') return { link, cached: null, claim: { state: 'done' } };
      if (row.cached_metadata && row.cached_fetched_at) {
        return { link, cached: { metadata: row.cached_metadata, fetchedAt: new Date(row.cached_fetched_at) } };
      }
      return { link, cached: null, claim: claimOf(row) };
    },

    /**
     * Writes a final state once: only a PENDING link moves, so a job run twice
     * (a worker killed after writing) neither writes nor announces twice.
     * The `link:updated` event commits with the write, in the same statement.
     */
    async finish(link: LinkForJob, outcome: LinkOutcome): Promise<boolean> {
      return (await finishWhere(sql`l.id = ${link.id}`, outcome)) > 0;
    },

    /**
     * Links still PENDING that were created between a day and `seconds` ago,
     * oldest first, whose page no attempt holds (the sweep's candidates: an
     * attempt under way is not given a second one).
     */
    async pendingSince(seconds: number, limit: number): Promise<LinkRow[]> {
      return db
        .select()
        .from(links)
        .where(
          and(
            eq(links.status, 'PENDING'),
            sql`${links.createdAt} < now() - make_interval(secs => ${seconds})`,
            sql`${links.createdAt} > now() - interval '1 day'`,
            sql`not exists (select 1 from ${linkFetches} f where f.normalized_url = ${links.normalizedUrl} and f.expires_at > now())`,
          ),
        )
        .orderBy(links.createdAt)
        .limit(limit);
    },

    /** Lets go of a page's fetch (a transient failure: the job is retried later). */
    async releaseFetch(link: LinkRow): Promise<void> {
      await db.delete(linkFetches).where(and(eq(linkFetches.normalizedUrl, link.normalizedUrl), eq(linkFetches.linkId, link.id)));
    },

    /**
     * The fetch's outcome for every link waiting on the same page (this one
     * included), each announced in its own section, and the fetch let go, in
     * one statement; then the numbering. A link that starts waiting after it
     * finds the outcome in the cache. Returns the links it moved.
     */
    async finishAll(link: LinkForJob, outcome: LinkOutcome): Promise<number> {
      return finishWhere(
        sql`l.normalized_url = ${link.normalizedUrl}`,
        outcome,
        sql`, released as (delete from ${linkFetches} where normalized_url = ${link.normalizedUrl} and link_id = ${link.id})`,
      );
    },

    /** Final states of the section's links, after the `after` cursor or from now on. */
    watchUpdated(sectionId: string, after: string | null | undefined, viewerId: string) {
      return streams.watch('link:updated', sectionId, resumeAfter(after, 'link:updated', sectionId), { viewerId });
    },

    /**
     * `refreshLinkMetadata`: back to PENDING and a job that skips the cache, in
     * one transaction. The post's author only.
     */
    async refresh(viewerId: string, linkId: string): Promise<LinkRow> {
      const link = await loadForJob(linkId);
      if (!link) throw notFound('Link');
      if (link.authorId !== viewerId) throw forbidden("Only the post's author may refresh its links");
      return db.transaction(async (tx) => {
        const [updated] = await tx
          .update(links)
          .set({ status: 'PENDING', error: null })
          .where(eq(links.id, link.id))
          .returning();
        if (!updated) throw notFound('Link');
        await enqueue(tx, [updated], true);
        return updated;
      });
    },
  };
}

function finalValues(outcome: LinkOutcome): { status: LinkRow['status']; metadata?: LinkMetadataJson; error: string | null; fetchedAt: Date } {
  return outcome.status === 'READY'
    ? { status: outcome.status, metadata: outcome.metadata, error: null, fetchedAt: outcome.fetchedAt ?? new Date() }
    : { status: outcome.status, error: outcome.error.slice(0, 500), fetchedAt: new Date() };
}

export type LinkService = ReturnType<typeof createLinkService>;
