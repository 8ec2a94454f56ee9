import { randomUUID } from 'node:crypto';
import { and, eq, inArray, sql } from 'drizzle-orm';
import type { Database } from '../../db/client.ts';
import { newestFirst, olderThan, takePage } from '../../db/keyset.ts';
import { isForeignKeyViolation, notFound } from '../../lib/errors.ts';
import { isUuid } from '../../lib/validate.ts';
import { resumeAfter } from '../../realtime/stream-cursor.ts';
import type { Outbox } from '../../realtime/outbox.ts';
import type { Streams } from '../../realtime/streams.ts';
import { newLinks } from '../links/new-links.ts';
import type { LinkRow } from '../links/tables.ts';
import type { FeedCursor } from '../../lib/feed-cursor.ts';
import { type PostTopics, toPostEvent } from './events.ts';
import { type PostRow, posts } from './tables.ts';
import { validateNewPost } from './validation.ts';

/** Told the links of a committed post, e.g. to enqueue their jobs (not awaited: the post is already stored). */
export type LinksCreatedHook = (created: LinkRow[]) => void;

export interface PostServiceDeps {
  db: Database;
  outbox: Outbox<PostTopics>;
  streams: Streams<PostTopics>;
  onLinksCreated?: LinksCreatedHook;
}

/**
 * The post, its links (PENDING) and its `post:created` event as one
 * statement that commits on its own: one round trip, no transaction block.
 * Ids and the time are made here, so every column is known without reading
 * the rows back; the foreign key proves the section exists.
 */
async function insertPost(
  db: Database,
  outbox: Outbox<PostTopics>,
  post: { sectionId: string; authorId: string; content: string },
  urls: readonly string[],
): Promise<{ row: PostRow; created: LinkRow[] }> {
  const id = randomUUID();
  const createdAt = new Date();
  const row: PostRow = { id, ...post, createdAt };
  const added = newLinks(id, urls, createdAt);
  await db.execute(sql`
    with post as (
      insert into ${posts} (id, section_id, author_id, content, created_at)
      values (${id}, ${post.sectionId}, ${post.authorId}, ${post.content}, ${createdAt.toISOString()})
      returning id
    ), added as (
      ${added.insert(sql.raw('post'))}
    ), event as (
      ${outbox.eventInsert('post:created', post.sectionId, toPostEvent(row))}
    )
    select 1`);
  const created = added.rows;
  return { row, created };
}

export function createPostService({ db, outbox, streams, onLinksCreated }: PostServiceDeps) {
  return {
    /** Stores the post, its links (PENDING) and its `post:created` event in one statement. */
    async create(viewerId: string, input: { sectionId: string; content: string; links?: readonly string[] | null }) {
      const { content, links: urls } = validateNewPost(input);
      if (!isUuid(input.sectionId)) throw notFound('Section');
      const { row, created } = await insertPost(db, outbox, { sectionId: input.sectionId, authorId: viewerId, content }, urls).catch(
        (err: unknown) => {
          if (isForeignKeyViolation(err, 'posts_section_id_sections_id_fkey')) throw notFound('Section');
          throw err;
        },
      );
      // Committed: the links' jobs are enqueued off the response path (a sweep enqueues any a crash lost here),
      // and the event numbered and published before the answer, so the author's own subscriptions already have it.
      if (created.length > 0) onLinksCreated?.(created);
      await outbox.number('post:created', row.sectionId);
      return row;
    },

    /**
     * Each post's place in its section's `post:created` stream (what `Post.cursor` says of a post read by a
     * query), found among the events kept; a post older than those has none.
     */
    /**
     * Where each post stands in its section's `post:created` stream: its
     * event's number. An event not numbered yet is numbered first; one no
     * longer kept (older than the retention) stands at the stream's head as it
     * is now, so that resuming after the post gets what comes next, neither a
     * replay of everything kept nor CURSOR_EXPIRED.
     */
    async placesInStream(keys: readonly { id: string; sectionId: string }[]): Promise<Map<string, number>> {
      if (keys.length === 0) return new Map();
      const read = async (wanted: readonly { id: string; sectionId: string }[]) => {
        const result = await db.execute<{ id: string; seq: string | null }>(sql`
          select payload->>'id' as id, seq from events
          where topic = 'post:created' and key = any(${sql.param([...new Set(wanted.map((k) => k.sectionId))])}::text[])
            and payload->>'id' = any(${sql.param(wanted.map((k) => k.id))}::text[])`);
        return result.rows;
      };
      const places = new Map<string, number>();
      const rows = await read(keys);
      for (const row of rows) if (row.seq !== null) places.set(row.id, Number(row.seq));
      const unnumbered = keys.filter((k) => rows.some((row) => row.id === k.id && row.seq === null));
      if (unnumbered.length > 0) {
        await Promise.all([...new Set(unnumbered.map((k) => k.sectionId))].map((section) => outbox.number('post:created', section)));
        for (const row of await read(unnumbered)) if (row.seq !== null) places.set(row.id, Number(row.seq));
      }
      const gone = keys.filter((k) => !places.has(k.id));
      const heads = new Map<string, number>();
      for (const section of new Set(gone.map((k) => k.sectionId))) heads.set(section, (await outbox.head('post:created', section)).lastSeq);
      for (const k of gone) places.set(k.id, heads.get(k.sectionId) ?? 0);
      return places;
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
  };
}

export type PostService = ReturnType<typeof createPostService>;
