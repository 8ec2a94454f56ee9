import { and, eq, inArray, lt, or, sql, desc } from 'drizzle-orm';
import { isoText } from '../../db/iso-text.ts';
import type { Database } from '../../db/client.ts';
import { AppError, badInput, notFound, rateLimited } from '../../lib/errors.ts';
import { isUuid } from '../../lib/validate.ts';
import type { Outbox } from '../../realtime/outbox.ts';
import { resumeAfter } from '../../realtime/stream-cursor.ts';
import type { Delivered, Streams } from '../../realtime/streams.ts';
import type { EventFrame } from '../../realtime/event-frame.ts';
import { withFirst } from '../../realtime/with-first.ts';
import type { ChannelAccess } from '../channels/access.ts';
import { channelBans, channelModerators, type ChannelRow, channels } from '../channels/tables.ts';
import type { ChatTopics } from './events.ts';
import { ChatSnapshot, toMessageState } from './frames.ts';
import { type ChatMessageRow, chatMessages, chatSettings } from './tables.ts';
import { requireChatText } from './text.ts';

export interface ChatServiceDeps {
  db: Database;
  outbox: Outbox<ChatTopics>;
  streams: Streams<ChatTopics>;
  access: ChannelAccess;
  /** CHAT_FRAME_MS. */
  frameMs: number;
}

/** Messages a joiner without a cursor gets in its first frame. */
export const JOIN_HISTORY = 50;
export const MAX_SLOW_MODE_SECONDS = 3_600;

const TOPIC = 'channel:chat';


/** The message as a row from `json_agg`/`row_to_json` of chat_messages (snake case, text dates). */
const fromJson = (m: { id: string; channel_id: string; author_id: string; text: string; created_at: string }): ChatMessageRow => ({
  id: m.id,
  channelId: m.channel_id,
  authorId: m.author_id,
  text: m.text,
  createdAt: new Date(m.created_at),
});


/**
 * A live channel's chat. Sending is one statement (slow mode's clock, the
 * message and its event); the chat stream is delivered in frames
 * (CHAT_FRAME_MS): a quiet room's message goes out at once, a busy room's
 * gather into one frame per window built once for every viewer. Banned users
 * neither send nor read, and their running chat ends when banned (live.ts).
 */
export function createChatService({ db, outbox, streams, access, frameMs }: ChatServiceDeps) {
  async function messageById(messageId: string): Promise<ChatMessageRow> {
    if (!isUuid(messageId)) throw notFound('Message');
    const [message] = await db.select().from(chatMessages).where(eq(chatMessages.id, messageId));
    if (!message) throw notFound('Message');
    return message;
  }

  /** The pinned message's event, or nothing (already pinned). */
  async function setPin(channel: ChannelRow, message: ChatMessageRow | null): Promise<void> {
    await outbox.transaction(async (tx) => {
      const [before] = await tx
        .select({ pinned: chatSettings.pinnedMessageId })
        .from(chatSettings)
        .where(eq(chatSettings.channelId, channel.id))
        .for('update');
      if ((before?.pinned ?? null) === (message?.id ?? null)) return;
      await tx
        .insert(chatSettings)
        .values({ channelId: channel.id, pinnedMessageId: message?.id ?? null })
        .onConflictDoUpdate({ target: chatSettings.channelId, set: { pinnedMessageId: message?.id ?? null } });
      await outbox.record(
        tx,
        TOPIC,
        channel.id,
        message ? { kind: 'pinned', id: message.id, channelId: channel.id, message: toMessageState(message) } : { kind: 'unpinned', channelId: channel.id },
      );
    });
  }

  return {
    /** Sends to the channel's chat: RATE_LIMITED (with retryAfterSeconds) faster than its slow mode, FORBIDDEN when banned. */
    async send(viewerId: string, input: { channelId: string; text: string }): Promise<ChatMessageRow> {
      const text = requireChatText(input.text);
      if (!isUuid(input.channelId)) throw notFound('Channel');
      const channelId = input.channelId;
      // One statement: the sender's standing (banned? seller or moderator, so not slowed?), slow mode's clock (moved
      // only when the message goes, so two sends at once cannot both pass), the message and its event.
      const result = await db.execute<{ id: string; channel_id: string; author_id: string; text: string; created_at: string }>(sql`
        with standing as (
          select c.id,
            c.seller_id = ${viewerId} or exists (select 1 from ${channelModerators} m where m.channel_id = c.id and m.user_id = ${viewerId}) as exempt,
            c.seller_id <> ${viewerId} and exists (select 1 from ${channelBans} b where b.channel_id = c.id and b.user_id = ${viewerId}
              and (b.until is null or b.until > now())) as banned
          from ${channels} c where c.id = ${channelId}
        ), slow as (
          select coalesce((select slow_mode_seconds from chat_settings where channel_id = ${channelId}), 0) as seconds
        ), gate as (
          insert into chat_senders (channel_id, user_id, last_sent_at) select s.id, ${viewerId}, now() from standing s where not s.banned
          on conflict (channel_id, user_id) do update set last_sent_at = greatest(chat_senders.last_sent_at, now())
          where (select exempt from standing) or (select seconds from slow) = 0
            or chat_senders.last_sent_at <= now() - make_interval(secs => (select seconds from slow))
          returning 1
        ), message as (
          insert into chat_messages (channel_id, author_id, text) select ${channelId}, ${viewerId}, ${text} from gate
          returning *
        ), event as (
          ${outbox.eventsInsert(
            TOPIC,
            sql`select ${channelId}::text as key, jsonb_build_object('kind', 'message', 'id', m.id, 'channelId', m.channel_id,
              'authorId', m.author_id, 'text', m.text, 'createdAt', ${isoText(sql`m.created_at`)}) as payload from message m`,
          )}
        )
        select id, channel_id, author_id, text, created_at from message`);
      const row = result.rows[0];
      if (!row) {
        // Refused: say why. No channel (NOT_FOUND) or banned (FORBIDDEN), else too soon for slow mode.
        await access.assertNotBanned(channelId, viewerId);
        const wait = await db.execute<{ seconds: number }>(sql`
          select greatest(1, ceil(extract(epoch from (c.last_sent_at + make_interval(secs => s.slow_mode_seconds) - now()))))::int as seconds
          from chat_senders c join chat_settings s on s.channel_id = c.channel_id
          where c.channel_id = ${channelId} and c.user_id = ${viewerId}`);
        throw rateLimited(wait.rows[0]?.seconds ?? 1);
      }
      await outbox.number(TOPIC, channelId);
      return fromJson(row);
    },

    /** Its author, the seller, the channel's moderators. Its events become tombstones: it is never sent again. */
    async delete(viewerId: string, messageId: string): Promise<string> {
      const message = await messageById(messageId);
      if (message.authorId !== viewerId) await access.assertModerator(message.channelId, viewerId);
      await outbox.transaction(async (tx) => {
        const [settings] = await tx
          .select({ pinned: chatSettings.pinnedMessageId })
          .from(chatSettings)
          .where(eq(chatSettings.channelId, message.channelId))
          .for('update');
        const gone = await tx.delete(chatMessages).where(eq(chatMessages.id, message.id)).returning({ id: chatMessages.id });
        if (gone.length === 0) return;
        await outbox.erase(tx, [TOPIC], message.channelId, message.id);
        await outbox.record(tx, TOPIC, message.channelId, {
          kind: 'deleted',
          deletedId: message.id,
          channelId: message.channelId,
          unpinned: settings?.pinned === message.id,
        });
      });
      return message.id;
    },

    /** Seller or moderators; one pinned message per channel (pinning another replaces it). */
    async pin(viewerId: string, messageId: string): Promise<ChannelRow> {
      const message = await messageById(messageId);
      const { channel } = await access.assertModerator(message.channelId, viewerId);
      await setPin(channel, message);
      return channel;
    },

    async unpin(viewerId: string, channelId: string): Promise<ChannelRow> {
      const { channel } = await access.assertModerator(channelId, viewerId);
      await setPin(channel, null);
      return channel;
    },

    /** Seller only; 0 turns it off. */
    async setSlowMode(viewerId: string, channelId: string, seconds: number): Promise<ChannelRow> {
      if (!Number.isSafeInteger(seconds) || seconds < 0 || seconds > MAX_SLOW_MODE_SECONDS) {
        throw badInput(`seconds must be a whole number from 0 to ${MAX_SLOW_MODE_SECONDS}`, 'seconds');
      }
      const { channel } = await access.assertSeller(channelId, viewerId);
      // In the chat's stream too: every viewer's client learns of it live.
      await outbox.transaction(async (tx) => {
        await tx
          .insert(chatSettings)
          .values({ channelId: channel.id, slowModeSeconds: seconds })
          .onConflictDoUpdate({ target: chatSettings.channelId, set: { slowModeSeconds: seconds } });
        await outbox.record(tx, TOPIC, channel.id, { kind: 'slowMode', channelId: channel.id, seconds });
      });
      return channel;
    },

    /** The `last` messages before the message `before` (or the newest), oldest first; FORBIDDEN when banned. */
    async history(viewerId: string, channelId: string, last: number, before: { createdAt: Date; id: string } | null): Promise<ChatMessageRow[]> {
      await access.assertNotBanned(channelId, viewerId);
      const rows = await db
        .select()
        .from(chatMessages)
        .where(
          and(
            eq(chatMessages.channelId, channelId),
            before
              ? or(lt(chatMessages.createdAt, before.createdAt), and(eq(chatMessages.createdAt, before.createdAt), lt(chatMessages.id, before.id)))
              : undefined,
          ),
        )
        .orderBy(desc(chatMessages.createdAt), desc(chatMessages.id))
        .limit(last + 1);
      return rows;
    },

    async settingsOf(channelIds: readonly string[]) {
      const valid = channelIds.filter(isUuid);
      if (valid.length === 0) return [];
      return db.select().from(chatSettings).where(inArray(chatSettings.channelId, valid));
    },

    /** The messages, but those of channels the viewer is banned from (what a banned user may not read). */
    async messagesByIds(ids: readonly string[], viewerId: string | null): Promise<ChatMessageRow[]> {
      const valid = ids.filter(isUuid);
      if (valid.length === 0) return [];
      return db
        .select()
        .from(chatMessages)
        .where(
          and(
            inArray(chatMessages.id, valid),
            viewerId
              ? sql`not exists (select 1 from ${channelBans} b where b.channel_id = ${chatMessages.channelId} and b.user_id = ${viewerId}
                  and (b.until is null or b.until > now()))`
              : undefined,
          ),
        );
    },

    /**
     * The chat in frames. Without `after` (or with one older than the events kept): first a frame with the last
     * 50 messages and the pinned one, then everything after it; with `after`, everything after that cursor.
     */
    async watch(viewerId: string, channelId: string, after: string | null | undefined): Promise<AsyncIterableIterator<Delivered<EventFrame | ChatSnapshot>>> {
      await access.assertNotBanned(channelId, viewerId);
      const position = resumeAfter(after, TOPIC, channelId);
      const options = { viewerId, frameMs };
      if (position !== null) {
        try {
          return await streams.watchFramed(TOPIC, channelId, position, options);
        } catch (err) {
          if (!(err instanceof AppError && err.code === 'CURSOR_EXPIRED')) throw err;
        }
      }
      // In one statement, so one snapshot: where the stream stands, and the messages whose events it has numbered
      // (one committed but not numbered yet comes in the stream after, not twice).
      const result = await db.execute<{
        head: string | null;
        messages: Parameters<typeof fromJson>[0][];
        pinned: Parameters<typeof fromJson>[0] | null;
        slow: number | null;
      }>(sql`
        select
          (select last_seq from event_streams where topic = ${TOPIC} and key = ${channelId}) as head,
          (select coalesce(json_agg(m order by m.created_at, m.id), '[]'::json) from (
            select * from chat_messages
            where channel_id = ${channelId} and id not in (
              select (payload->>'id')::uuid from events
              where topic = ${TOPIC} and key = ${channelId} and seq is null and payload->>'kind' = 'message')
            order by created_at desc, id desc limit ${JOIN_HISTORY}) m) as messages,
          (select row_to_json(p) from chat_messages p join chat_settings s on s.pinned_message_id = p.id
            where s.channel_id = ${channelId}) as pinned,
          (select slow_mode_seconds from chat_settings where channel_id = ${channelId}) as slow`);
      const row = result.rows[0]!;
      const head = Number(row.head ?? 0);
      const snapshot = new ChatSnapshot(row.messages.map(fromJson), row.pinned ? fromJson(row.pinned) : null, row.slow ?? 0);
      const rest = (await streams.watchFramed(TOPIC, channelId, head, options)) as AsyncIterableIterator<Delivered<EventFrame | ChatSnapshot>>;
      return withFirst<Delivered<EventFrame | ChatSnapshot>>({ topic: TOPIC, key: channelId, seq: head, payload: snapshot }, rest);
    },
  };
}

export type ChatService = ReturnType<typeof createChatService>;
