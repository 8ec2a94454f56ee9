import { and, desc, eq, sql } from 'drizzle-orm';
import type { Database } from '../../db/client.ts';
import { badInput } from '../../lib/errors.ts';
import { isUuid } from '../../lib/validate.ts';
import type { Logger } from '../../logger.ts';
import type { Outbox } from '../../realtime/outbox.ts';
import type { Occupancy, PresenceRooms } from '../../realtime/presence.ts';
import { encodeCursor, resumeAfter } from '../../realtime/stream-cursor.ts';
import type { Streams } from '../../realtime/streams.ts';
import type { BlockLists } from '../users/block-lists.ts';
import type { Blocks } from '../users/blocks.ts';
import type { ChannelTopics, DirectoryEvent } from './events.ts';
import { type ChannelRow, channelLive, channels } from './tables.ts';

const TOPIC = 'channel:directory';
const KEY = 'all';

/** Where a directory page ends: among the live ones (by viewers), or past them (by age). */
type DirectoryCursor = { phase: 'live'; viewers: number; id: string } | { phase: 'newest'; at: string; id: string };

const encodeDirectoryCursor = (c: DirectoryCursor) =>
  Buffer.from(c.phase === 'live' ? `d1|L|${c.viewers}|${c.id}` : `d1|N|${c.at}|${c.id}`).toString('base64url');

export function decodeDirectoryCursor(raw: string): DirectoryCursor {
  const [version, phase, value, id] = Buffer.from(raw, 'base64url').toString('utf8').split('|');
  if (version === 'd1' && id && isUuid(id)) {
    if (phase === 'L' && /^\d{1,9}$/.test(value ?? '')) return { phase: 'live', viewers: Number(value), id };
    if (phase === 'N' && value && !Number.isNaN(Date.parse(value))) return { phase: 'newest', at: value, id };
  }
  throw badInput('after is not a cursor of this list', 'after');
}

export interface DirectoryEntry {
  channel: ChannelRow;
  live: boolean;
  cursor: string;
}

/**
 * The live-channel directory. Presence publishes each channel's occupancy at
 * most once per interval, from one instance; that instance records it here:
 * the channel's row in `channel_live` (a channel is live while its seller has
 * it open) and an event in the `channel:directory` stream, ordered and
 * resumable like every other (`liveChannels`). A channel ending is one more
 * event; a count moving among viewers of a channel that is not live is none.
 * Instances renew the rows of the channels they hold viewers of at each
 * presence heartbeat: a row that no instance renews within `staleSeconds`
 * (they all died) is no longer listed. Nobody is shown the channels of a seller they block, in a page or
 * in the stream.
 */
export function createChannelDirectory({
  db,
  outbox,
  streams,
  blocks,
  blockLists,
  staleSeconds,
}: {
  db: Database;
  outbox: Outbox<ChannelTopics>;
  streams: Streams<ChannelTopics>;
  blocks: Pick<Blocks, 'blockedBy'>;
  blockLists: BlockLists;
  staleSeconds: number;
}) {
  const fresh = sql`${channelLive.refreshedAt} > now() - make_interval(secs => ${staleSeconds})`;
  /** A channel with where it stands: its creation as PostgreSQL writes it (microseconds, for the cursor). */
  const listed = { channel: channels, at: sql<string>`${channels.createdAt}::text` };

  async function record(occupancy: Occupancy): Promise<void> {
    const channelId = occupancy.room;
    if (!isUuid(channelId)) return;
    await outbox.transaction(async (tx) => {
      const seller = sql`(select seller_id from channels where id = ${channelId}) as seller_id`;
      const changed = occupancy.ownerPresent
        ? await tx.execute<{ seller_id: string }>(sql`
            insert into channel_live (channel_id, viewer_count) select id, ${occupancy.count} from channels where id = ${channelId}
            on conflict (channel_id) do update set viewer_count = excluded.viewer_count, refreshed_at = now()
            returning ${seller}`)
        : await tx.execute<{ seller_id: string }>(sql`delete from channel_live where channel_id = ${channelId} returning ${seller}`);
      // No such channel, or one that was not live and still is not: nothing for the directory.
      const sellerId = changed.rows[0]?.seller_id;
      if (!sellerId) return;
      const event: DirectoryEvent = { channelId, sellerId, live: occupancy.ownerPresent, viewerCount: occupancy.count };
      await outbox.record(tx, TOPIC, KEY, event);
    });
  }

  return {
    /** Follows presence: records what this instance publishes, renews what it holds. Returns the way to stop. */
    follow(presence: PresenceRooms, logger: Logger): { stop(): Promise<void> } {
      const log = logger.child({ module: 'channel-directory' });
      const stopRecording = presence.onPublish((occupancy) =>
        void record(occupancy).catch((err: Error) => log.warn({ err: err.message, channelId: occupancy.room }, 'recording a directory change failed')),
      );
      const stopRenewing = presence.onHeartbeat((rooms) => {
        const ids = rooms.filter(isUuid);
        if (ids.length === 0) return;
        void db
          .execute(sql`update channel_live set refreshed_at = now() where channel_id = any(${sql.param(ids)}::uuid[])`)
          .catch((err: Error) => log.warn({ err: err.message }, 'renewing directory rows failed'));
      });
      return {
        async stop() {
          stopRecording();
          stopRenewing();
        },
      };
    },

    /**
     * A page of the directory: live channels first, most viewers first; then (unless `live`) the others,
     * newest first. `live: false`: only those not live. Viewer counts move while a client pages: a channel
     * whose count moved past the cursor may be seen twice or not at all. None of a seller the viewer blocks.
     */
    async page(
      viewerId: string,
      live: boolean | null,
      first: number,
      after: DirectoryCursor | null,
    ): Promise<{ entries: DirectoryEntry[]; hasNextPage: boolean }> {
      const blocked = await blocks.blockedBy(viewerId);
      const shown = blocked.length > 0 ? sql`${channels.sellerId} <> all(${sql.param(blocked)}::uuid[])` : undefined;
      const rows: Array<{ channel: ChannelRow; at: string; viewers: number | null }> = [];
      if (live !== false && (after === null || after.phase === 'live')) {
        const past = after?.phase === 'live' ? sql`(${channelLive.viewerCount}, ${channelLive.channelId}) < (${after.viewers}, ${after.id}::uuid)` : undefined;
        rows.push(
          ...(await db
            .select({ ...listed, viewers: channelLive.viewerCount })
            .from(channelLive)
            .innerJoin(channels, eq(channels.id, channelLive.channelId))
            .where(and(fresh, past, shown))
            .orderBy(desc(channelLive.viewerCount), desc(channelLive.channelId))
            .limit(first + 1)),
        );
      }
      if (live !== true && rows.length <= first) {
        const past = after?.phase === 'newest' ? sql`(${channels.createdAt}, ${channels.id}) < (${after.at}::timestamptz, ${after.id}::uuid)` : undefined;
        const notLive = sql`not exists (select 1 from ${channelLive} where ${channelLive.channelId} = ${channels.id} and ${fresh})`;
        rows.push(
          ...(await db
            .select({ ...listed, viewers: sql<null>`null` })
            .from(channels)
            .where(and(notLive, past, shown))
            .orderBy(desc(channels.createdAt), desc(channels.id))
            .limit(first + 1 - rows.length)),
        );
      }
      const entries = rows.slice(0, first).map(({ channel, at, viewers }) => ({
        channel,
        live: viewers !== null,
        cursor: encodeDirectoryCursor(viewers !== null ? { phase: 'live', viewers, id: channel.id } : { phase: 'newest', at, id: channel.id }),
      }));
      return { entries, hasNextPage: rows.length > first };
    },

    /** The cursor of the directory stream now: `liveChannels(after:)` from it misses nothing that follows a page read after it. */
    async head(): Promise<string> {
      return encodeCursor({ topic: TOPIC, key: KEY, seq: (await outbox.head(TOPIC, KEY)).lastSeq });
    },

    /** The directory's changes after `after` (a cursor of this stream), or from now, but a blocked seller's. */
    watch(viewerId: string, after: string | null | undefined) {
      const position = resumeAfter(after, TOPIC, KEY);
      return blockLists.watching(viewerId, (blocked) =>
        streams.watch(TOPIC, KEY, position, {
          viewerId,
          accept: (e: DirectoryEvent) => !e.sellerId || !blocked.has(e.sellerId),
          onEnd: blocked.release,
        }),
      );
    },
  };
}

export type ChannelDirectory = ReturnType<typeof createChannelDirectory>;
