import { and, eq, inArray, sql } from 'drizzle-orm';
import type { Database } from '../../db/client.ts';
import { notFound } from '../../lib/errors.ts';
import { isUuid, requireEmoji } from '../../lib/validate.ts';
import { resumeAfter } from '../../realtime/stream-cursor.ts';
import type { Outbox } from '../../realtime/outbox.ts';
import type { Streams } from '../../realtime/streams.ts';
import { type PostRow, posts } from '../posts/tables.ts';
import type { ReactionTopics } from './events.ts';
import { reactions } from './tables.ts';

export interface ReactionCountRow {
  postId: string;
  emoji: string;
  count: number;
  viewerHasReacted: boolean;
}

export interface ReactionServiceDeps {
  db: Database;
  outbox: Outbox<ReactionTopics>;
  streams: Streams<ReactionTopics>;
}

export function createReactionService({ db, outbox, streams }: ReactionServiceDeps) {
  async function findPost(postId: string): Promise<PostRow> {
    if (!isUuid(postId)) throw notFound('Post');
    const [post] = await db.select().from(posts).where(eq(posts.id, postId));
    if (!post) throw notFound('Post');
    return post;
  }

  return {
    /** Idempotent: reacting twice with the same emoji changes nothing and announces nothing. */
    async add(viewerId: string, input: { postId: string; emoji: string }): Promise<PostRow> {
      const emoji = requireEmoji(input.emoji);
      const post = await findPost(input.postId);
      await outbox.transaction(async (tx) => {
        const inserted = await tx
          .insert(reactions)
          .values({ postId: post.id, userId: viewerId, emoji })
          .onConflictDoNothing()
          .returning({ postId: reactions.postId });
        if (inserted.length > 0) await outbox.record(tx, 'post:reactionsChanged', post.sectionId, { postId: post.id });
      });
      return post;
    },

    async remove(viewerId: string, input: { postId: string; emoji: string }): Promise<PostRow> {
      const emoji = requireEmoji(input.emoji);
      const post = await findPost(input.postId);
      await outbox.transaction(async (tx) => {
        const deleted = await tx
          .delete(reactions)
          .where(and(eq(reactions.postId, post.id), eq(reactions.userId, viewerId), eq(reactions.emoji, emoji)))
          .returning({ postId: reactions.postId });
        if (deleted.length > 0) await outbox.record(tx, 'post:reactionsChanged', post.sectionId, { postId: post.id });
      });
      return post;
    },

    /** Posts of the section whose reactions changed, after the `after` cursor or from now on. */
    watchChanged(sectionId: string, after?: string | null) {
      return streams.watch('post:reactionsChanged', sectionId, resumeAfter(after, 'post:reactionsChanged', sectionId));
    },

    /** Counts per (post, emoji) for many posts in one statement, in order of each emoji's first use. */
    async countsByPostIds(postIds: readonly string[], viewerId: string | null): Promise<ReactionCountRow[]> {
      if (postIds.length === 0) return [];
      return db
        .select({
          postId: reactions.postId,
          emoji: reactions.emoji,
          count: sql<number>`count(*)::int`,
          viewerHasReacted: viewerId ? sql<boolean>`bool_or(${reactions.userId} = ${viewerId})` : sql<boolean>`false`,
        })
        .from(reactions)
        .where(inArray(reactions.postId, [...postIds]))
        .groupBy(reactions.postId, reactions.emoji)
        .orderBy(reactions.postId, sql`min(${reactions.createdAt})`, reactions.emoji);
    },
  };
}

export type ReactionService = ReturnType<typeof createReactionService>;
