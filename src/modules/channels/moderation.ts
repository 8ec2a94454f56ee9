import { and, eq } from 'drizzle-orm';
import type { Database } from '../../db/client.ts';
import { badInput, forbidden, isForeignKeyViolation, notFound } from '../../lib/errors.ts';
import { isUuid } from '../../lib/validate.ts';
import type { Outbox } from '../../realtime/outbox.ts';
import type { ChannelAccess } from './access.ts';
import type { ChannelTopics } from './events.ts';
import { channelBans, channelModerators, type ChannelRow } from './tables.ts';

export interface ChannelModerationDeps {
  db: Database;
  outbox: Outbox<ChannelTopics>;
  access: ChannelAccess;
}

const userIdOf = (userId: string): string => {
  if (!isUuid(userId)) throw notFound('User');
  return userId;
};

/**
 * A channel's seller names moderators; the seller and moderators ban. A ban
 * is recorded as an event every instance follows (`channel:banned`): the
 * user's chat subscriptions to the channel end at once wherever they run.
 */
export function createChannelModeration({ db, outbox, access }: ChannelModerationDeps) {
  return {
    async addModerator(viewerId: string, channelId: string, userId: string): Promise<ChannelRow> {
      const { channel } = await access.assertSeller(channelId, viewerId);
      const target = userIdOf(userId);
      if (target === channel.sellerId) throw badInput('the seller moderates the channel already', 'userId');
      try {
        await db.insert(channelModerators).values({ channelId: channel.id, userId: target }).onConflictDoNothing();
      } catch (err) {
        if (isForeignKeyViolation(err)) throw notFound('User');
        throw err;
      }
      return channel;
    },

    async removeModerator(viewerId: string, channelId: string, userId: string): Promise<ChannelRow> {
      const { channel } = await access.assertSeller(channelId, viewerId);
      await db.delete(channelModerators).where(and(eq(channelModerators.channelId, channel.id), eq(channelModerators.userId, userIdOf(userId))));
      return channel;
    },

    /** Seller or moderators; a moderator may not ban the seller or another moderator. */
    async ban(viewerId: string, input: { channelId: string; userId: string; until?: Date | null }): Promise<ChannelRow> {
      const s = await access.assertModerator(input.channelId, viewerId);
      const target = userIdOf(input.userId);
      if (target === viewerId) throw badInput('you cannot ban yourself', 'userId');
      if (target === s.channel.sellerId) throw forbidden('The seller cannot be banned from their channel');
      if (input.until && input.until.getTime() <= Date.now()) throw badInput('until must be in the future', 'until');
      const targetRole = (await access.standing(s.channel.id, target)).role;
      if (targetRole === 'MODERATOR' && s.role !== 'SELLER') throw forbidden('Only the seller may ban a moderator');
      const until = input.until ?? null;
      try {
        await outbox.transaction(async (tx) => {
          await tx
            .insert(channelBans)
            .values({ channelId: s.channel.id, userId: target, until, bannedBy: viewerId })
            .onConflictDoUpdate({ target: [channelBans.channelId, channelBans.userId], set: { until, bannedBy: viewerId } });
          // A banned moderator moderates no more.
          await tx.delete(channelModerators).where(and(eq(channelModerators.channelId, s.channel.id), eq(channelModerators.userId, target)));
          await outbox.record(tx, 'channel:banned', 'all', { channelId: s.channel.id, userId: target });
        });
      } catch (err) {
        if (isForeignKeyViolation(err)) throw notFound('User');
        throw err;
      }
      return s.channel;
    },

    async unban(viewerId: string, channelId: string, userId: string): Promise<ChannelRow> {
      const { channel } = await access.assertModerator(channelId, viewerId);
      await db.delete(channelBans).where(and(eq(channelBans.channelId, channel.id), eq(channelBans.userId, userIdOf(userId))));
      return channel;
    },
  };
}

export type ChannelModeration = ReturnType<typeof createChannelModeration>;
