import { and, eq, inArray, sql } from 'drizzle-orm';
import type { Database, Executor } from '../../db/client.ts';
import { newestFirst, olderThan, takePage } from '../../db/keyset.ts';
import { isForeignKeyViolation, notFound } from '../../lib/errors.ts';
import { isUuid } from '../../lib/validate.ts';
import { resumeAfter } from '../../realtime/cursor.ts';
import type { Outbox } from '../../realtime/outbox.ts';
import type { Streams } from '../../realtime/streams.ts';
import { normalizeUrl } from '../links/normalize.ts';
import { type LinkRow, links } from '../links/tables.ts';
import type { FeedCursor } from '../../lib/cursor.ts';
import { type PostTopics, toPostEvent } from './events.ts';
import { type PostRow, posts } from './tables.ts';
import { validateNewPost } from './validation.ts';

/** Called inside the post's transaction with its new links, e.g. to enqueue their jobs. */
export type LinksCreatedHook = (tx: Executor, created: LinkRow[]) => Promise<void>;

export interface PostServiceDeps {
  db: Database;
  outbox: Outbox<PostTopics>;
  streams: Streams<PostTopics>;
  onLinksCreated?: LinksCreatedHook;
}

export function createPostService({ db, outbox, streams, onLinksCreated }: PostServiceDeps) {
  return {
    /** Stores the post, its links (PENDING) and its `post:created` event in one transaction. */
    async create(viewerId: string, input: { sectionId: string; content: string; links?: readonly string[] | null }) {
      const { content, links: urls } = validateNewPost(input);
      if (!isUuid(input.sectionId)) throw notFound('Section');
      const post = await outbox
        .transaction(async (tx) => {
          // The foreign key proves the section exists (and holds it until commit): no separate lookup.
          const [row] = await tx.insert(posts).values({ sectionId: input.sectionId, authorId: viewerId, content }).returning();
          if (!row) throw new Error('insert returned no row');
          if (urls.length > 0) {
            const created = await tx
              .insert(links)
              .values(urls.map((url, position) => ({ postId: row.id, url, normalizedUrl: normalizeUrl(url), position })))
              .returning();
            await onLinksCreated?.(tx, created);
          }
          // Last: recording takes the section stream's lock until COMMIT. The post keeps its place in the
          // stream (Post.cursor), stored in the same round trip.
          const createdSeq = await outbox.record(tx, 'post:created', row.sectionId, toPostEvent(row), (seq) =>
            sql`update ${posts} set created_seq = ${seq} where id = ${row.id}`,
          );
          return { ...row, createdSeq };
        })
        .catch((err: unknown) => {
          if (isForeignKeyViolation(err, 'posts_section_id_sections_id_fkey')) throw notFound('Section');
          throw err;
        });
      return post;
    },

    /** Posts created in the section, after the `after` cursor or from now on. */
    watchCreated(sectionId: string, after?: string | null) {
      return streams.watch('post:created', sectionId, resumeAfter(after, 'post:created', sectionId));
    },

    /** One page of a section's posts, newest first; one row more than asked tells whether more follow. */
    async page(
      sectionId: string,
      first: number,
      after: FeedCursor | null,
    ): Promise<{ rows: PostRow[]; hasNextPage: boolean }> {
      const rows = await db
        .select()
        .from(posts)
        .where(and(eq(posts.sectionId, sectionId), olderThan(posts.createdAt, posts.id, after)))
        .orderBy(...newestFirst(posts.createdAt, posts.id))
        .limit(first + 1);
      return takePage(rows, first);
    },

    async byIds(ids: readonly string[]): Promise<PostRow[]> {
      const valid = ids.filter(isUuid);
      if (valid.length === 0) return [];
      return db.select().from(posts).where(inArray(posts.id, valid));
    },

    async linksByPostIds(postIds: readonly string[]): Promise<LinkRow[]> {
      if (postIds.length === 0) return [];
      return db
        .select()
        .from(links)
        .where(inArray(links.postId, [...postIds]))
        .orderBy(links.postId, links.position);
    },

    async linksByIds(ids: readonly string[]): Promise<LinkRow[]> {
      const valid = ids.filter(isUuid);
      if (valid.length === 0) return [];
      return db.select().from(links).where(inArray(links.id, valid));
    },
  };
}

export type PostService = ReturnType<typeof createPostService>;
