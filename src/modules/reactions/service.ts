import { and, eq, inArray, sql } from 'drizzle-orm';
import type { Database } from '../../db/client.ts';
import { notFound } from '../../lib/errors.ts';
import { isUuid, requireEmoji } from '../../lib/validate.ts';
import type { Realtime } from '../../realtime/pubsub.ts';
import { type PostRow, posts } from '../posts/tables.ts';
import { reactions } from './tables.ts';

export interface ReactionCountRow {
  postId: string;
  emoji: string;
  count: number;
  viewerHasReacted: boolean;
}

export function createReactionService(db: Database, pubsub: Realtime) {
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
      const inserted = await db
        .insert(reactions)
        .values({ postId: post.id, userId: viewerId, emoji })
        .onConflictDoNothing()
        .returning({ postId: reactions.postId });
      if (inserted.length > 0) await pubsub.publish('post:reactionsChanged', post.sectionId, { postId: post.id });
      return post;
    },

    async remove(viewerId: string, input: { postId: string; emoji: string }): Promise<PostRow> {
      const emoji = requireEmoji(input.emoji);
      const post = await findPost(input.postId);
      const deleted = await db
        .delete(reactions)
        .where(and(eq(reactions.postId, post.id), eq(reactions.userId, viewerId), eq(reactions.emoji, emoji)))
        .returning({ postId: reactions.postId });
      if (deleted.length > 0) await pubsub.publish('post:reactionsChanged', post.sectionId, { postId: post.id });
      return post;
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
