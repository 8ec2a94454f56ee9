import { index, integer, pgTable, primaryKey, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { channels } from '../channels/tables.ts';
import { users } from '../users/tables.ts';

/** A channel's chat. A deleted message's row goes, and its stored events become tombstones. */
export const chatMessages = pgTable(
  'chat_messages',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    channelId: uuid('channel_id')
      .notNull()
      .references(() => channels.id, { onDelete: 'cascade' }),
    authorId: uuid('author_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    text: text('text').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
  },
  (t) => [index('chat_messages_channel_idx').on(t.channelId, t.createdAt, t.id)],
);

/** A channel's chat settings: its pinned message and slow mode. No row: nothing pinned, slow mode off. */
export const chatSettings = pgTable('chat_settings', {
  channelId: uuid('channel_id')
    .primaryKey()
    .references(() => channels.id, { onDelete: 'cascade' }),
  pinnedMessageId: uuid('pinned_message_id').references(() => chatMessages.id, { onDelete: 'set null' }),
  slowModeSeconds: integer('slow_mode_seconds').notNull().default(0),
});

/** When each user last sent to a channel's chat: slow mode's clock, moved in the statement that sends. */
export const chatSenders = pgTable(
  'chat_senders',
  {
    channelId: uuid('channel_id')
      .notNull()
      .references(() => channels.id, { onDelete: 'cascade' }),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    lastSentAt: timestamp('last_sent_at', { withTimezone: true, precision: 3 }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.channelId, t.userId] })],
);

export type ChatMessageRow = typeof chatMessages.$inferSelect;
