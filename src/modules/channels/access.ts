import { and, eq, sql } from 'drizzle-orm';
import type { Database } from '../../db/client.ts';
import { forbidden, notFound } from '../../lib/errors.ts';
import { isUuid } from '../../lib/validate.ts';
import { channelBans, channelModerators, type ChannelRow, channels } from './tables.ts';

export type ChannelRole = 'SELLER' | 'MODERATOR';

/** What a viewer may do in one channel. */
export interface ChannelStanding {
  channel: ChannelRow;
  role: ChannelRole | null;
  /** Banned now: may watch the highlight, not chat, read the chat or claim. */
  banned: boolean;
}

/**
 * Who may do what in a channel: its seller, the moderators the seller
 * names, and those banned (until their `until`) from its chat and claims.
 */
export function createChannelAccess(db: Database) {
  /** The viewer's standing in the channel, in one statement; NOT_FOUND when it does not exist. */
  async function standing(channelId: string, viewerId: string): Promise<ChannelStanding> {
    if (!isUuid(channelId)) throw notFound('Channel');
    const [row] = await db
      .select({
        channel: channels,
        moderator: channelModerators.userId,
        banned: sql<boolean>`exists (select 1 from ${channelBans} b where b.channel_id = ${channels.id} and b.user_id = ${viewerId}
          and (b.until is null or b.until > now()))`,
      })
      .from(channels)
      .leftJoin(channelModerators, and(eq(channelModerators.channelId, channels.id), eq(channelModerators.userId, viewerId)))
      .where(eq(channels.id, channelId));
    if (!row) throw notFound('Channel');
    const role: ChannelRole | null = row.channel.sellerId === viewerId ? 'SELLER' : row.moderator ? 'MODERATOR' : null;
    return { channel: row.channel, role, banned: row.banned && role !== 'SELLER' };
  }

  return {
    standing,

    /** Not banned: to read or send chat, and to claim. */
    async assertNotBanned(channelId: string, viewerId: string): Promise<ChannelStanding> {
      const s = await standing(channelId, viewerId);
      if (s.banned) throw forbidden('You are banned from this channel');
      return s;
    },

    /** The seller or a moderator; FORBIDDEN for anyone else. */
    async assertModerator(channelId: string, viewerId: string): Promise<ChannelStanding> {
      const s = await standing(channelId, viewerId);
      if (s.role === null) throw forbidden("Only the channel's seller and moderators may do this");
      return s;
    },

    /** The seller; FORBIDDEN for anyone else. */
    async assertSeller(channelId: string, viewerId: string): Promise<ChannelStanding> {
      const s = await standing(channelId, viewerId);
      if (s.role !== 'SELLER') throw forbidden("Only the channel's seller may do this");
      return s;
    },
  };
}

export type ChannelAccess = ReturnType<typeof createChannelAccess>;
