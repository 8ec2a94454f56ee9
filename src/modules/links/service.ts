import { and, desc, eq, gt, type SQL, sql } from 'drizzle-orm';
import type { Database, Executor } from '../../db/client.ts';
import { forbidden, notFound } from '../../lib/errors.ts';
import { isUuid } from '../../lib/validate.ts';
import { resumeAfter } from '../../realtime/cursor.ts';
import type { Outbox } from '../../realtime/outbox.ts';
import type { Streams } from '../../realtime/streams.ts';
import { posts } from '../posts/tables.ts';
import { type LinkTopics, toLinkEvent } from './events.ts';
import { type LinkMetadataJson, type LinkRow, linkFetches, links } from './tables.ts';

export type LinkOutcome =
  | { status: 'READY'; metadata: LinkMetadataJson; fetchedAt?: Date }
  | { status: 'FAILED' | 'BLOCKED'; error: string };

export type FetchClaim = { state: 'claimed' | 'done' } | { state: 'busy'; waitSeconds: number };

export interface LinkForJob extends LinkRow {
  sectionId: string;
  authorId: string;
}

/** Enqueues fetch jobs for links inside a transaction (wired to pg-boss by the runtime). */
export type EnqueueLinks = (tx: Executor, links: LinkRow[], refresh: boolean) => Promise<void>;

export interface LinkServiceDeps {
  db: Database;
  outbox: Outbox<LinkTopics>;
  streams: Streams<LinkTopics>;
  enqueue: EnqueueLinks;
  /** Told each final state written (metrics). */
  onFinished?: (status: LinkOutcome['status']) => void;
}

export function createLinkService({ db, outbox, streams, enqueue, onFinished }: LinkServiceDeps) {
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
   * Moves the links that are still PENDING to the outcome and records one
   * `link:updated` event for each one that moved, in one statement (with
   * `also`, more of it); then numbers the events. Returns how many moved.
   */
  async function finishLinks(targets: Array<LinkRow & { sectionId: string }>, outcome: LinkOutcome, also?: SQL): Promise<number> {
    if (targets.length === 0 && !also) return 0;
    const values = finalValues(outcome);
    const ids = targets.map((t) => t.id);
    const payloads = targets.map((t) => JSON.stringify(toLinkEvent(t.sectionId, { ...t, ...values })));
    const result = await db.execute<{ key: string }>(sql`
      with moved as (
        update ${links} set
          status = ${values.status},
          metadata = ${values.metadata ? sql`${JSON.stringify(values.metadata)}::jsonb` : sql`metadata`},
          error = ${values.error},
          fetched_at = ${values.fetchedAt.toISOString()}
        where id = any(${sql.param(ids)}::uuid[]) and status = 'PENDING'
        returning id
      ), added as (
        ${outbox.eventsInsert(
          'link:updated',
          sql`select e.key, e.payload from unnest(${sql.param(ids)}::uuid[], ${sql.param(targets.map((t) => t.sectionId))}::text[], ${sql.param(payloads)}::jsonb[]) as e(id, key, payload) join moved using (id)`,
        )}
      )${also ?? sql``}
      select key from added`);
    const keys = new Set(result.rows.map((row) => row.key));
    for (const key of keys) await outbox.number('link:updated', key);
    for (let i = 0; i < result.rows.length; i++) onFinished?.(outcome.status);
    return result.rows.length;
  }

  return {
    loadForJob,

    /** A preview of the same page fetched within the TTL, if one is stored. */
    async findCached(normalizedUrl: string, ttlSeconds: number): Promise<{ metadata: LinkMetadataJson; fetchedAt: Date } | null> {
      if (ttlSeconds <= 0) return null;
      const [row] = await db
        .select({ metadata: links.metadata, fetchedAt: links.fetchedAt })
        .from(links)
        .where(
          and(
            eq(links.normalizedUrl, normalizedUrl),
            eq(links.status, 'READY'),
            gt(links.fetchedAt, sql`now() - make_interval(secs => ${ttlSeconds})`),
          ),
        )
        .orderBy(desc(links.fetchedAt))
        .limit(1);
      return row?.metadata && row.fetchedAt ? { metadata: row.metadata, fetchedAt: row.fetchedAt } : null;
    },

    /**
     * Writes a final state once: only a PENDING link moves, so a job run twice
     * (a worker killed after writing) neither writes nor announces twice.
     * The `link:updated` event commits with the write, in the same statement.
     */
    async finish(link: LinkForJob, outcome: LinkOutcome): Promise<boolean> {
      return (await finishLinks([link], outcome)) > 0;
    },

    /**
     * Takes the one fetch of a page cluster-wide for `seconds`, if this link
     * still waits: `claimed` (this link's job holds it, or already did),
     * `done` (the link was finished meanwhile, by another link's fetch), or
     * `busy` with how long the current holder may still take.
     */
    async claimFetch(link: LinkRow, seconds: number): Promise<FetchClaim> {
      const result = await db.execute<{ state: 'claimed' | 'done' | 'busy'; wait: number }>(sql`
        with pending as (
          select 1 from ${links} where id = ${link.id} and status = 'PENDING'
        ), claim as (
          insert into ${linkFetches} (normalized_url, link_id, expires_at)
          select ${link.normalizedUrl}, ${link.id}::uuid, now() + make_interval(secs => ${seconds}) from pending
          on conflict (normalized_url) do update set link_id = excluded.link_id, expires_at = excluded.expires_at
            where ${linkFetches.expiresAt} < now() or ${linkFetches.linkId} = excluded.link_id
          returning link_id
        )
        select 'claimed' as state, 0::float8 as wait from claim
        union all
        select 'done', 0 where not exists (select 1 from pending)
        union all
        select 'busy', greatest(0, extract(epoch from expires_at - now()))::float8 from ${linkFetches}
        where normalized_url = ${link.normalizedUrl} and exists (select 1 from pending) and not exists (select 1 from claim)`);
      const row = result.rows[0];
      // No row: the holder let go between the statement's two reads; try again soon.
      if (!row) return { state: 'busy', waitSeconds: 0 };
      return row.state === 'busy' ? { state: 'busy', waitSeconds: Number(row.wait) } : { state: row.state };
    },

    /** Links still PENDING that were created between a day and `seconds` ago, oldest first (the sweep's candidates). */
    async pendingSince(seconds: number, limit: number): Promise<LinkRow[]> {
      return db
        .select()
        .from(links)
        .where(
          and(
            eq(links.status, 'PENDING'),
            sql`${links.createdAt} < now() - make_interval(secs => ${seconds})`,
            sql`${links.createdAt} > now() - interval '1 day'`,
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
     * included), each announced in its own section, and the fetch let go: a
     * read of who waits, then one statement. A link that starts waiting after
     * the read finds the outcome in the cache. Returns the links it moved.
     */
    async finishAll(link: LinkForJob, outcome: LinkOutcome): Promise<number> {
      const waiting = await db
        .select({ link: links, sectionId: posts.sectionId })
        .from(links)
        .innerJoin(posts, eq(posts.id, links.postId))
        .where(and(eq(links.normalizedUrl, link.normalizedUrl), eq(links.status, 'PENDING')));
      return finishLinks(
        waiting.map((row) => ({ ...row.link, sectionId: row.sectionId })),
        outcome,
        sql`, released as (delete from ${linkFetches} where normalized_url = ${link.normalizedUrl} and link_id = ${link.id})`,
      );
    },

    /** Final states of the section's links, after the `after` cursor or from now on. */
    watchUpdated(sectionId: string, after?: string | null) {
      return streams.watch('link:updated', sectionId, resumeAfter(after, 'link:updated', sectionId));
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
