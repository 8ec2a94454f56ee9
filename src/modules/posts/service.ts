import { randomUUID } from 'node:crypto';
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

/**
 * Inserts a post and its links (PENDING) in one statement. Ids are made here,
 * and both rows take the transaction's `now()`, so every column is known
 * without reading the rows back.
 */
async function insertPostWithLinks(
  tx: Executor,
  post: { sectionId: string; authorId: string; content: string },
  urls: readonly string[],
): Promise<{ row: PostRow; created: LinkRow[] }> {
  const id = randomUUID();
  const linkIds = urls.map(() => randomUUID());
  const result = await tx.execute<{ created_at: Date }>(sql`
    with post as (
      insert into ${posts} (id, section_id, author_id, content)
      values (${id}, ${post.sectionId}, ${post.authorId}, ${post.content})
      returning created_at
    ), added as (
      insert into ${links} (id, post_id, url, normalized_url, position)
      select link.id, ${id}::uuid, link.url, link.normalized_url, link.position - 1
      from post, unnest(${sql.param(linkIds)}::uuid[], ${sql.param(urls)}::text[], ${sql.param(urls.map(normalizeUrl))}::text[])
        with ordinality as link(id, url, normalized_url, position)
      returning 1
    )
    select created_at from post`);
  const createdAt = new Date(result.rows[0]!.created_at);
  const row: PostRow = { id, ...post, createdAt };
  const created: LinkRow[] = urls.map((url, position) => ({
    id: linkIds[position]!,
    postId: id,
    position,
    url,
    normalizedUrl: normalizeUrl(url),
    status: 'PENDING',
    metadata: null,
    error: null,
    fetchedAt: null,
    createdAt,
  }));
  return { row, created };
}

export function createPostService({ db, outbox, streams, onLinksCreated }: PostServiceDeps) {
  return {
    /** Stores the post, its links (PENDING) and its `post:created` event in one transaction. */
    async create(viewerId: string, input: { sectionId: string; content: string; links?: readonly string[] | null }) {
      const { content, links: urls } = validateNewPost(input);
      if (!isUuid(input.sectionId)) throw notFound('Section');
      const post = await outbox
        .transaction(async (tx) => {
          // The post and its links in one round trip; the foreign key proves the section exists (and holds it
          // until commit): no separate lookup.
          const { row, created } = await insertPostWithLinks(tx, { sectionId: input.sectionId, authorId: viewerId, content }, urls);
          if (created.length > 0) await onLinksCreated?.(tx, created);
          // Last: recording takes the section stream's lock until COMMIT.
          await outbox.record(tx, 'post:created', row.sectionId, toPostEvent(row));
          return row;
        })
        .catch((err: unknown) => {
          if (isForeignKeyViolation(err, 'posts_section_id_sections_id_fkey')) throw notFound('Section');
          throw err;
        });
      return post;
    },

    /**
     * Each post's place in its section's `post:created` stream (what `Post.cursor` says of a post read by a
     * query), found among the events kept; a post older than those has none.
     */
    async placesInStream(keys: readonly { id: string; sectionId: string }[]): Promise<Map<string, number>> {
      if (keys.length === 0) return new Map();
      const result = await db.execute<{ id: string; seq: string }>(sql`
        select payload->>'id' as id, seq from events
        where topic = 'post:created' and key = any(${sql.param([...new Set(keys.map((k) => k.sectionId))])}::text[])
          and payload->>'id' = any(${sql.param(keys.map((k) => k.id))}::text[])`);
      return new Map(result.rows.map((row) => [row.id, Number(row.seq)]));
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
