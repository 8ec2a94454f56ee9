import { randomUUID } from 'node:crypto';
import { and, eq, inArray, type SQL, sql } from 'drizzle-orm';
import type { Database } from '../../db/client.ts';
import { newestFirst, olderThan, takePage } from '../../db/keyset.ts';
import { forbidden, notFound } from '../../lib/errors.ts';
import { isUuid } from '../../lib/validate.ts';
import { resumeAfter } from '../../realtime/stream-cursor.ts';
import type { Outbox } from '../../realtime/outbox.ts';
import type { Streams } from '../../realtime/streams.ts';
import { newLinks, replaceLinks } from '../links/new-links.ts';
import type { LinkRow } from '../links/tables.ts';
import type { FeedCursor } from '../../lib/feed-cursor.ts';
import type { SectionAccess } from '../sections/access.ts';
import type { BlockLists } from '../users/block-lists.ts';
import type { Blocks } from '../users/blocks.ts';
import { mentionedNames, mentionsCte } from '../notifications/mentions.ts';
import type { NotificationTopics } from '../notifications/events.ts';
import type { NotificationService } from '../notifications/service.ts';
import { isCreation, isDeletion, isEdit, type PostEvent, type PostStreamEvent, type PostTopics, STREAMS_OF_A_POST, toPostEvent } from './events.ts';
import { type PostRow, posts } from './tables.ts';
import { validateNewPost, validatePostEdit } from './validation.ts';

/** Told the links of a committed post, e.g. to enqueue their jobs (not awaited: the post is already stored). */
export type LinksCreatedHook = (created: LinkRow[]) => void;

export interface PostServiceDeps {
  db: Database;
  access: SectionAccess;
  blocks: Blocks;
  blockLists: BlockLists;
  outbox: Outbox<PostTopics & NotificationTopics>;
  streams: Streams<PostTopics>;
  onLinksCreated?: LinksCreatedHook;
  /** The inbox: a deleted post's notifications go with it. */
  notifications?: Pick<NotificationService, 'forgetSubject'>;
}

/**
 * The post, its links (PENDING) and its `post:created` event as one
 * statement that commits on its own: one round trip, no transaction block.
 * Ids and the time are made here, so every column is known without reading
 * the rows back. Nothing is written unless `allowed` holds (the author may
 * post in the section): null when it did not.
 */
async function insertPost(
  db: Database,
  outbox: Outbox<PostTopics>,
  post: { sectionId: string; authorId: string; content: string },
  urls: readonly string[],
  allowed: SQL,
  /** The CTEs telling whom it mentions (notifications/mentions.ts), when it mentions anyone. */
  mentions: SQL | null,
): Promise<{ row: PostRow; created: LinkRow[]; mentioned: string[] } | null> {
  const id = randomUUID();
  const createdAt = new Date();
  const row: PostRow = { id, ...post, createdAt, editedAt: null };
  const added = newLinks(id, urls, createdAt);
  const result = await db.execute<{ id: string; mentioned: string[] | string | null }>(sql`
    with post as (
      insert into ${posts} (id, section_id, author_id, content, created_at)
      select ${id}, ${post.sectionId}, ${post.authorId}, ${post.content}, ${createdAt.toISOString()}
      where ${allowed}
      returning id
    ), added as (
      ${added.insert(sql.raw('post'))}
    ), event as (
      ${outbox.eventsInsert('post:created', sql`select ${post.sectionId}::text as key, ${JSON.stringify(toPostEvent(row))}::jsonb as payload from post`)}
    )${mentions ? sql`, ${mentions}` : sql``}
    select id, ${mentions ? sql`(select array_agg(user_id::text) from mentioned_users)` : sql`null`} as mentioned from post`);
  const first = result.rows[0];
  if (!first) return null;
  return { row, created: added.rows, mentioned: textArray(first.mentioned) };
}

/** A text[] as node-postgres gives it (an array, or its literal when it could not tell the type). */
function textArray(value: string[] | string | null): string[] {
  if (value === null) return [];
  if (Array.isArray(value)) return value;
  return value === '{}' ? [] : value.slice(1, -1).split(',');
}

export function createPostService({ db, access, blocks, blockLists, outbox, streams, onLinksCreated, notifications }: PostServiceDeps) {
  /** What the viewer may read of posts: their section, and not by someone they block. */
  const visibleTo = (viewerId: string | null) =>
    viewerId === null
      ? sql`false`
      : and(access.readableBy(viewerId)(posts.sectionId), blocks.notBlocked(sql`${viewerId}::uuid`, posts.authorId))!;

  /** The post, if the viewer may read it (its section, its author not blocked by them); NOT_FOUND otherwise. */
  async function readable(postId: string, viewerId: string): Promise<PostRow> {
    const [post] = await byIds([postId], viewerId);
    if (!post) throw notFound('Post');
    return post;
  }

  async function byIds(ids: readonly string[], viewerId: string | null): Promise<PostRow[]> {
    const valid = ids.filter(isUuid);
    if (valid.length === 0) return [];
    return db.select().from(posts).where(and(inArray(posts.id, valid), visibleTo(viewerId)));
  }

  /** After a commit: the new links' jobs (off the response path), and the events numbered before the answer. */
  async function committed(sectionId: string, created: LinkRow[]) {
    if (created.length > 0) onLinksCreated?.(created);
    await outbox.number('post:created', sectionId);
  }

  /** The section's stream for this viewer: the events of the kind `wanted`, none by someone they block. */
  async function watch(sectionId: string, after: string | null | undefined, viewerId: string, wanted: (e: PostStreamEvent) => boolean) {
    const position = resumeAfter(after, 'post:created', sectionId);
    return blockLists.watching(viewerId, (blocked) =>
      streams.watch('post:created', sectionId, position, {
        viewerId,
        accept: (e: PostStreamEvent) => wanted(e) && !blocked.has((e as PostEvent).authorId),
        onEnd: blocked.release,
      }),
    );
  }

  return {
    /** Stores the post, its links (PENDING) and its `post:created` event in one statement. */
    async create(viewerId: string, input: { sectionId: string; content: string; links?: readonly string[] | null }) {
      const { content, links: urls } = validateNewPost(input);
      if (!isUuid(input.sectionId)) throw notFound('Section');
      const post = { sectionId: input.sectionId, authorId: viewerId, content };
      const names = mentionedNames(content);
      const mentions =
        names.length > 0 ? mentionsCte(outbox, { names, authorId: viewerId, sectionId: input.sectionId, readableBy: access.readableByUser }) : null;
      let inserted = await insertPost(db, outbox, post, urls, access.writableBy(viewerId)(sql`${input.sectionId}::uuid`), mentions);
      if (!inserted) {
        // Refused: say why (NOT_FOUND, FORBIDDEN), or, for an admin, whom the one-statement check does not know, write.
        await access.assertCanWrite(input.sectionId, viewerId);
        inserted = await insertPost(db, outbox, post, urls, sql`true`, mentions);
        if (!inserted) throw notFound('Section');
      }
      // Committed: the links' jobs are enqueued off the response path (a sweep enqueues any a crash lost here),
      // and the event numbered and published before the answer, so the author's own subscriptions already have it.
      await committed(inserted.row.sectionId, inserted.created);
      for (const userId of inserted.mentioned) await outbox.number('notification:changed', userId);
      return inserted.row;
    },

    /**
     * The author edits their post: its content, and with `links` its links
     * (those it keeps keep their preview; those it adds are fetched). One
     * `updated` event in the section's stream.
     */
    async update(viewerId: string, input: { postId: string; content: string; links?: readonly string[] | null }): Promise<PostRow> {
      const edit = validatePostEdit(input);
      const post = await readable(input.postId, viewerId);
      if (post.authorId !== viewerId) throw forbidden('Only its author may edit a post');
      await access.assertCanWrite(post.sectionId, viewerId);
      const editedAt = new Date();
      const { row, created } = await outbox.transaction(async (tx) => {
        const [row] = await tx.update(posts).set({ content: edit.content, editedAt }).where(eq(posts.id, post.id)).returning();
        if (!row) throw notFound('Post');
        const created = edit.links ? await replaceLinks(tx, row.id, edit.links, editedAt) : [];
        await outbox.record(tx, 'post:created', row.sectionId, toPostEvent(row, 'updated'));
        return { row, created };
      });
      await committed(row.sectionId, created);
      return row;
    },

    /**
     * Deletes a post (its author, the section's owner or moderators, an
     * admin), its reactions and links with it. Every stored event that
     * speaks of it becomes a tombstone, so no replay sends its content again;
     * its deletion takes its place at the end of the section's stream.
     */
    async delete(viewerId: string, postId: string): Promise<string> {
      if (!isUuid(postId)) throw notFound('Post');
      const [post] = await db.select().from(posts).where(eq(posts.id, postId));
      if (!post) throw notFound('Post');
      if (post.authorId !== viewerId) await access.assertModerator(post.sectionId, viewerId);
      await outbox.transaction(async (tx) => {
        const gone = await tx.delete(posts).where(eq(posts.id, post.id)).returning({ id: posts.id });
        if (gone.length === 0) throw notFound('Post');
        await outbox.erase(tx, STREAMS_OF_A_POST, post.sectionId, post.id);
        await notifications?.forgetSubject(tx, post.id);
        await outbox.record(tx, 'post:created', post.sectionId, { kind: 'deleted', id: post.id, sectionId: post.sectionId, authorId: post.authorId });
      });
      return post.id;
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
            and payload->>'id' = any(${sql.param(wanted.map((k) => k.id))}::text[]) and payload->'kind' is null`);
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
    watchCreated(sectionId: string, after: string | null | undefined, viewerId: string) {
      return watch(sectionId, after, viewerId, isCreation);
    },

    /** Posts edited in the section. */
    watchUpdated(sectionId: string, after: string | null | undefined, viewerId: string) {
      return watch(sectionId, after, viewerId, isEdit);
    },

    /** Posts deleted in the section: their tombstones. */
    watchDeleted(sectionId: string, after: string | null | undefined, viewerId: string) {
      return watch(sectionId, after, viewerId, isDeletion);
    },

    /** One page of a section's posts, newest first; one row more than asked tells whether more follow. */
    async page(
      sectionId: string,
      first: number,
      after: FeedCursor | null,
      viewerId: string | null,
    ): Promise<{ rows: PostRow[]; hasNextPage: boolean }> {
      const rows = await db
        .select()
        .from(posts)
        .where(and(eq(posts.sectionId, sectionId), olderThan(posts.createdAt, posts.id, after), visibleTo(viewerId)))
        .orderBy(...newestFirst(posts.createdAt, posts.id))
        .limit(first + 1);
      return takePage(rows, first);
    },

    /** The posts among these the viewer may read. */
    byIds,
  };
}

export type PostService = ReturnType<typeof createPostService>;
