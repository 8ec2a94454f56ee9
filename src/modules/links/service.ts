import { and, desc, eq, gt, sql } from 'drizzle-orm';
import type { Database, Executor } from '../../db/client.ts';
import { forbidden, notFound } from '../../lib/errors.ts';
import { isUuid } from '../../lib/validate.ts';
import { resumeAfter } from '../../realtime/cursor.ts';
import type { Outbox } from '../../realtime/outbox.ts';
import type { Streams } from '../../realtime/streams.ts';
import { posts } from '../posts/tables.ts';
import { type LinkTopics, toLinkEvent } from './events.ts';
import { type LinkMetadataJson, type LinkRow, links } from './tables.ts';

export type LinkOutcome =
  | { status: 'READY'; metadata: LinkMetadataJson; fetchedAt?: Date }
  | { status: 'FAILED' | 'BLOCKED'; error: string };

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
     * The `link:updated` event commits with the write.
     */
    async finish(link: LinkForJob, outcome: LinkOutcome): Promise<LinkRow | null> {
      const values =
        outcome.status === 'READY'
          ? { status: outcome.status, metadata: outcome.metadata, error: null, fetchedAt: outcome.fetchedAt ?? new Date() }
          : { status: outcome.status, error: outcome.error.slice(0, 500), fetchedAt: new Date() };
      const updated = await outbox.transaction(async (tx) => {
        const [row] = await tx
          .update(links)
          .set(values)
          .where(and(eq(links.id, link.id), eq(links.status, 'PENDING')))
          .returning();
        if (!row) return null;
        await outbox.record(tx, 'link:updated', link.sectionId, toLinkEvent(link.sectionId, row));
        return row;
      });
      if (updated) onFinished?.(outcome.status);
      return updated;
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

export type LinkService = ReturnType<typeof createLinkService>;
