import { and, eq, inArray, sql } from 'drizzle-orm';
import type { Database } from '../../db/client.ts';
import { notFound } from '../../lib/errors.ts';
import { requireEmoji } from '../../lib/validate.ts';
import { resumeAfter } from '../../realtime/stream-cursor.ts';
import type { Outbox } from '../../realtime/outbox.ts';
import type { Streams } from '../../realtime/streams.ts';
import type { PostRow } from '../posts/tables.ts';
import type { SectionAccess } from '../sections/access.ts';
import type { BlockLists } from '../users/block-lists.ts';
import type { NotificationService } from '../notifications/service.ts';
import type { ReactionsChangedEvent, ReactionTopics } from './events.ts';
import { reactions } from './tables.ts';

export interface ReactionCountRow {
  postId: string;
  emoji: string;
  count: number;
  viewerHasReacted: boolean;
}

export interface ReactionServiceDeps {
  db: Database;
  access: SectionAccess;
  /** The posts among these the viewer may read. */
  readablePosts(ids: readonly string[], viewerId: string): Promise<PostRow[]>;
  blockLists: BlockLists;
  outbox: Outbox<ReactionTopics>;
  streams: Streams<ReactionTopics>;
  /** The inbox: the post's author is told in the reaction's transaction. */
  notifications: Pick<NotificationService, 'record'>;
}

export function createReactionService({ db, access, readablePosts, blockLists, outbox, streams, notifications }: ReactionServiceDeps) {
  /** A post the viewer may react to: one they read, in a section they are not banned from. */
  async function findPost(postId: string, viewerId: string): Promise<PostRow> {
    const [post] = await readablePosts([postId], viewerId);
    if (!post) throw notFound('Post');
    await access.assertCanWrite(post.sectionId, viewerId);
    return post;
  }

  return {
    /** Idempotent: reacting twice with the same emoji changes nothing and announces nothing. */
    async add(viewerId: string, input: { postId: string; emoji: string }): Promise<PostRow> {
      const emoji = requireEmoji(input.emoji);
      const post = await findPost(input.postId, viewerId);
      await outbox.transaction(async (tx) => {
        const inserted = await tx
          .insert(reactions)
          .values({ postId: post.id, userId: viewerId, emoji })
          .onConflictDoNothing()
          .returning({ postId: reactions.postId });
        if (inserted.length === 0) return;
        await outbox.record(tx, 'post:reactionsChanged', post.sectionId, { postId: post.id, authorId: post.authorId });
        await notifications.record(tx, { recipientId: post.authorId, actorId: viewerId, kind: 'POST_REACTED', subjectId: post.id, emoji });
      });
      return post;
    },

    async remove(viewerId: string, input: { postId: string; emoji: string }): Promise<PostRow> {
      const emoji = requireEmoji(input.emoji);
      const post = await findPost(input.postId, viewerId);
      await outbox.transaction(async (tx) => {
        const deleted = await tx
          .delete(reactions)
          .where(and(eq(reactions.postId, post.id), eq(reactions.userId, viewerId), eq(reactions.emoji, emoji)))
          .returning({ postId: reactions.postId });
        if (deleted.length > 0) await outbox.record(tx, 'post:reactionsChanged', post.sectionId, { postId: post.id, authorId: post.authorId });
      });
      return post;
    },

    /** Posts of the section whose reactions changed, after the `after` cursor or from now on. */
    watchChanged(sectionId: string, after: string | null | undefined, viewerId: string) {
      const position = resumeAfter(after, 'post:reactionsChanged', sectionId);
      // The posts of whoever the viewer blocks are not theirs to follow.
      return blockLists.watching(viewerId, (blocked) =>
        streams.watch('post:reactionsChanged', sectionId, position, {
          viewerId,
          accept: (e: ReactionsChangedEvent) => !e.authorId || !blocked.has(e.authorId),
          onEnd: blocked.release,
        }),
      );
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
