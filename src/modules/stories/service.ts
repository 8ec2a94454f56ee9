import { and, desc, eq, gt, inArray, lt, sql } from 'drizzle-orm';
import { isoText } from '../../db/iso-text.ts';
import type { Database } from '../../db/client.ts';
import { newestFirst, olderThan, takePage } from '../../db/keyset.ts';
import type { FeedCursor } from '../../lib/feed-cursor.ts';
import { forbidden, notFound } from '../../lib/errors.ts';
import type { RateLimit } from '../../lib/rate-limiter.ts';
import { isUuid, requireEmoji, requireHttpUrl, requireText } from '../../lib/validate.ts';
import type { Executor } from '../../db/client.ts';
import { commitWithoutFlush } from '../../db/async-commit.ts';
import { resumeAfter } from '../../realtime/stream-cursor.ts';
import type { Outbox } from '../../realtime/outbox.ts';
import type { Streams } from '../../realtime/streams.ts';
import type { Admins } from '../users/admins.ts';
import type { BlockLists } from '../users/block-lists.ts';
import type { Blocks } from '../users/blocks.ts';
import type { NotificationService } from '../notifications/service.ts';
import type { StoryActivityEvent, StoryTopics } from './events.ts';
import { type StoryRow, stories, storyReactions, storyViews } from './tables.ts';

export interface StoryServiceDeps {
  db: Database;
  blocks: Blocks;
  blockLists: BlockLists;
  admins: Admins;
  outbox: Outbox<StoryTopics>;
  streams: Streams<StoryTopics>;
  ttlHours: number;
  reactionLimit: RateLimit;
  /** The inbox: told in the transaction of each view and reaction, and of a deletion. */
  notifications: Pick<NotificationService, 'record' | 'recordCte' | 'number' | 'forgetSubject'>;
}

export const FEED_LIMIT = 100;


export function createStoryService({ db, blocks, blockLists, admins, outbox, streams, ttlHours, reactionLimit, notifications }: StoryServiceDeps) {
  /** Stories the viewer may see: not expired, and not by someone who blocks them. */
  const visibleTo = (viewerId: string | null) =>
    and(gt(stories.expiresAt, sql`now()`), viewerId === null ? undefined : blocks.notBlocked(stories.authorId, sql`${viewerId}::uuid`));

  /** A story the viewer may see, or NOT_FOUND. */
  async function live(storyId: string, viewerId: string): Promise<StoryRow> {
    if (!isUuid(storyId)) throw notFound('Story');
    const [story] = await db
      .select()
      .from(stories)
      .where(and(eq(stories.id, storyId), visibleTo(viewerId)));
    if (!story) throw notFound('Story');
    return story;
  }

  function announce(tx: Executor, story: StoryRow, event: Omit<StoryActivityEvent, 'storyId' | 'authorId'>) {
    return outbox.record(tx, 'story:activity', story.authorId, { ...event, storyId: story.id, authorId: story.authorId });
  }

  async function authorsStory(viewerId: string, storyId: string): Promise<StoryRow> {
    const story = await live(storyId, viewerId);
    if (story.authorId !== viewerId) throw forbidden("Only the story's author sees its views and reactions");
    return story;
  }

  return {
    async create(viewerId: string, input: { mediaUrl: string; caption?: string | null }): Promise<StoryRow> {
      const mediaUrl = requireHttpUrl(input.mediaUrl, 'mediaUrl');
      const caption = input.caption?.trim() ? requireText(input.caption, 'caption', { max: 500 }) : null;
      const [story] = await db
        .insert(stories)
        .values({
          authorId: viewerId,
          mediaUrl,
          caption,
          expiresAt: sql`now() + make_interval(secs => ${ttlHours * 3600})`,
        })
        .returning();
      if (!story) throw new Error('insert returned no row');
      return story;
    },

    /** Unexpired stories, newest first; none by someone who blocks the viewer or whom the viewer blocks. */
    feed(viewerId: string): Promise<StoryRow[]> {
      return db
        .select()
        .from(stories)
        .where(and(visibleTo(viewerId), blocks.notBlocked(sql`${viewerId}::uuid`, stories.authorId)))
        .orderBy(desc(stories.createdAt), desc(stories.id))
        .limit(FEED_LIMIT);
    },

    /** Records the first view by each viewer and tells the author of that one only; the author's own views count for nothing. */
    async view(viewerId: string, storyId: string): Promise<StoryRow> {
      const story = await live(storyId, viewerId);
      if (story.authorId === viewerId) return story;
      // The view, the author's activity event and their coalesced notification in one statement that commits on
      // its own: a story viewed by thousands at once holds its one notification row no longer than that statement.
      // It commits without a WAL flush: the numbering right after flushes it before anything is published.
      const notify = notifications.recordCte({ recipientId: story.authorId, actorId: viewerId, kind: 'STORY_VIEWED', subjectId: story.id }, sql`viewed`)!;
      const result = await db.execute<{ viewed: number }>(sql`
        with viewed as (
          insert into ${storyViews} (story_id, viewer_id) values (${story.id}, ${viewerId})
          on conflict do nothing
          returning viewed_at
        ), activity as (
          ${outbox.eventsInsert(
            'story:activity',
            sql`select ${story.authorId}::text as key, jsonb_build_object('kind', 'viewed', 'actorId', ${viewerId}::text, 'emoji', null,
              'at', ${isoText(sql`viewed.viewed_at`)}, 'storyId', ${story.id}::text, 'authorId', ${story.authorId}::text) as payload from viewed`,
          )}
        ), ${notify}
        select (select count(*) from viewed)::int as viewed, ${commitWithoutFlush}`);
      if (result.rows[0]?.viewed) await Promise.all([outbox.number('story:activity', story.authorId), notifications.number(story.authorId)]);
      return story;
    },

    /** Records a reaction and tells the author each time, unless the author reacted. Rate limited per user. */
    async react(viewerId: string, input: { storyId: string; emoji: string }): Promise<StoryRow> {
      const emoji = requireEmoji(input.emoji);
      const story = await live(input.storyId, viewerId);
      await reactionLimit.consume(viewerId);
      await outbox.transaction(async (tx) => {
        const [reaction] = await tx.insert(storyReactions).values({ storyId: story.id, userId: viewerId, emoji }).returning();
        if (reaction && story.authorId !== viewerId) {
          await announce(tx, story, { kind: 'reacted', actorId: viewerId, emoji, at: reaction.reactedAt.toISOString() });
          await notifications.record(tx, { recipientId: story.authorId, actorId: viewerId, kind: 'STORY_REACTED', subjectId: story.id, emoji });
        }
      });
      return story;
    },

    /**
     * Views and reactions on the viewer's own stories by others, after the
     * `after` cursor or from now on. The stream is keyed by the author, so a
     * cursor of anyone else's is refused; each event is checked again as it goes.
     */
    async watchActivity(viewerId: string, after?: string | null) {
      const position = resumeAfter(after, 'story:activity', viewerId);
      // Nobody else's, none of the author's own, none by someone the author blocks.
      return blockLists.watching(viewerId, (blocked) =>
        streams.watch('story:activity', viewerId, position, {
          viewerId,
          accept: (e: StoryActivityEvent) => e.authorId === viewerId && e.actorId !== viewerId && !blocked.has(e.actorId),
          onEnd: blocked.release,
        }),
      );
    },

    /** Deletes a story (its author, or an admin), its views and reactions, and what its author's activity stream says of it. */
    async delete(viewerId: string, storyId: string): Promise<string> {
      if (!isUuid(storyId)) throw notFound('Story');
      const [story] = await db.select().from(stories).where(eq(stories.id, storyId));
      if (!story || (story.authorId !== viewerId && story.expiresAt.getTime() <= Date.now())) throw notFound('Story');
      if (story.authorId !== viewerId && !(await admins.isAdmin(viewerId))) throw forbidden('Only its author or an admin may delete a story');
      await outbox.transaction(async (tx) => {
        const gone = await tx.delete(stories).where(eq(stories.id, story.id)).returning({ id: stories.id });
        if (gone.length === 0) throw notFound('Story');
        await outbox.erase(tx, ['story:activity'], story.authorId, story.id);
        await notifications.forgetSubject(tx, story.id);
      });
      return story.id;
    },

    /** Who viewed the story, newest first; the author only. */
    async views(viewerId: string, storyId: string, first: number, after: FeedCursor | null) {
      const story = await authorsStory(viewerId, storyId);
      const rows = await db
        .select()
        .from(storyViews)
        .where(and(eq(storyViews.storyId, story.id), olderThan(storyViews.viewedAt, storyViews.viewerId, after)))
        .orderBy(...newestFirst(storyViews.viewedAt, storyViews.viewerId))
        .limit(first + 1);
      return takePage(rows, first);
    },

    /** Every reaction to the story, newest first; the author only. */
    async reactions(viewerId: string, storyId: string, first: number, after: FeedCursor | null) {
      const story = await authorsStory(viewerId, storyId);
      const rows = await db
        .select()
        .from(storyReactions)
        .where(and(eq(storyReactions.storyId, story.id), olderThan(storyReactions.reactedAt, storyReactions.id, after)))
        .orderBy(...newestFirst(storyReactions.reactedAt, storyReactions.id))
        .limit(first + 1);
      return takePage(rows, first);
    },

    /** The stories that have not expired among these: an expired one is gone, whether or not the cleanup has run. */
    async byIds(ids: readonly string[], viewerId: string | null): Promise<StoryRow[]> {
      const valid = ids.filter(isUuid);
      if (valid.length === 0) return [];
      return db.select().from(stories).where(and(inArray(stories.id, valid), visibleTo(viewerId)));
    },

    /** Deletes expired stories (with their views and reactions); run on a schedule. */
    async deleteExpired(): Promise<number> {
      return db.transaction(async (tx) => {
        const deleted = await tx.delete(stories).where(lt(stories.expiresAt, sql`now()`)).returning({ id: stories.id });
        for (const { id } of deleted) await notifications.forgetSubject(tx, id);
        return deleted.length;
      });
    },
  };
}

export type StoryService = ReturnType<typeof createStoryService>;
