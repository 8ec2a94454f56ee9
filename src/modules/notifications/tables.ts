import { sql } from 'drizzle-orm';
import { index, integer, pgEnum, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { users } from '../users/tables.ts';

export const notificationKind = pgEnum('notification_kind', ['STORY_VIEWED', 'STORY_REACTED', 'POST_REACTED', 'MENTIONED']);

/**
 * A user's inbox. One row stands for many actions of one kind on one
 * subject (a story, a post) with one emoji ('' when none): a thousand views
 * of a story are one row with `count` 1000 and its latest actors.
 */
export const notifications = pgTable(
  'notifications',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    /** Whose inbox. */
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    kind: notificationKind('kind').notNull(),
    /** The story or post it is about (their modules remove it with them). */
    subjectId: uuid('subject_id').notNull(),
    emoji: text('emoji').notNull().default(''),
    count: integer('count').notNull().default(1),
    /** The latest actors, most recent first, at most 10. */
    actorIds: uuid('actor_ids').array().notNull(),
    createdAt: timestamp('created_at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
    readAt: timestamp('read_at', { withTimezone: true, precision: 3 }),
  },
  (t) => [
    uniqueIndex('notifications_coalesce_key').on(t.userId, t.kind, t.subjectId, t.emoji),
    index('notifications_inbox_idx').on(t.userId, t.updatedAt.desc(), t.id.desc()),
    index('notifications_unread_idx').on(t.userId).where(sql`${t.readAt} is null`),
    index('notifications_subject_idx').on(t.subjectId),
    index('notifications_updated_idx').on(t.updatedAt),
  ],
);

export type NotificationRow = typeof notifications.$inferSelect;
