import { and, eq, type SQL, sql } from 'drizzle-orm';
import type { Database } from '../../db/client.ts';
import { badInput, isForeignKeyViolation, notFound } from '../../lib/errors.ts';
import { isUuid } from '../../lib/validate.ts';
import type { Outbox } from '../../realtime/outbox.ts';
import type { UserTopics } from './events.ts';
import { type UserRow, userBlocks, users } from './tables.ts';

/** A SQL condition over two user-id expressions. */
export type BlockCondition = (blocker: unknown, blocked: unknown) => SQL;

/**
 * Blocking, per viewer: after A blocks B, A no longer receives B's posts or
 * reactions (queries, subscriptions, replays) and B no longer sees A's
 * stories. Each change is recorded for every instance (`user:blocks-changed`)
 * so the lists its subscribers are filtered by follow at once.
 */
export function createBlocks({ db, outbox }: { db: Database; outbox: Outbox<UserTopics> }) {
  async function change(viewerId: string, userId: string, blocked: boolean): Promise<UserRow> {
    if (!isUuid(userId)) throw notFound('User');
    if (userId === viewerId) throw badInput('you cannot block yourself', 'userId');
    const [user] = await db.select().from(users).where(eq(users.id, userId));
    if (!user) throw notFound('User');
    try {
      await outbox.transaction(async (tx) => {
        const changed = blocked
          ? await tx.insert(userBlocks).values({ blockerId: viewerId, blockedId: userId }).onConflictDoNothing().returning({ id: userBlocks.blockedId })
          : await tx
              .delete(userBlocks)
              .where(and(eq(userBlocks.blockerId, viewerId), eq(userBlocks.blockedId, userId)))
              .returning({ id: userBlocks.blockedId });
        if (changed.length > 0) await outbox.record(tx, 'user:blocks-changed', 'all', { blockerId: viewerId });
      });
    } catch (err) {
      if (isForeignKeyViolation(err)) throw notFound('User');
      throw err;
    }
    return user;
  }

  return {
    block: (viewerId: string, userId: string) => change(viewerId, userId, true),
    unblock: (viewerId: string, userId: string) => change(viewerId, userId, false),

    /** The ids the user blocks. */
    async blockedBy(blockerId: string): Promise<string[]> {
      const rows = await db.select({ id: userBlocks.blockedId }).from(userBlocks).where(eq(userBlocks.blockerId, blockerId));
      return rows.map((row) => row.id);
    },

    /** Which of these users the viewer blocks. */
    async blocking(viewerId: string, ids: readonly string[]): Promise<Set<string>> {
      const valid = ids.filter(isUuid);
      if (valid.length === 0) return new Set();
      const rows = await db
        .select({ id: userBlocks.blockedId })
        .from(userBlocks)
        .where(and(eq(userBlocks.blockerId, viewerId), sql`${userBlocks.blockedId} = any(${sql.param(valid)}::uuid[])`));
      return new Set(rows.map((row) => row.id));
    },

    /** A condition: `blocker` has not blocked `blocked` (user-id expressions: a column, or a parameter cast to uuid). */
    notBlocked: ((blocker, blocked) =>
      sql`not exists (select 1 from ${userBlocks} ub where ub.blocker_id = ${blocker} and ub.blocked_id = ${blocked})`) as BlockCondition,
  };
}

export type Blocks = ReturnType<typeof createBlocks>;
