import { index, pgTable, primaryKey, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { users } from '../users/tables.ts';

export const stories = pgTable(
  'stories',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    authorId: uuid('author_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    mediaUrl: text('media_url').notNull(),
    caption: text('caption'),
    createdAt: timestamp('created_at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
    expiresAt: timestamp('expires_at', { withTimezone: true, precision: 3 }).notNull(),
  },
  (t) => [index('stories_feed_idx').on(t.expiresAt, t.createdAt.desc()), index('stories_author_idx').on(t.authorId)],
);

/** One row per viewer: a story is viewed once per person, however often they open it. */
export const storyViews = pgTable(
  'story_views',
  {
    storyId: uuid('story_id')
      .notNull()
      .references(() => stories.id, { onDelete: 'cascade' }),
    viewerId: uuid('viewer_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    viewedAt: timestamp('viewed_at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ name: 'story_views_pkey', columns: [t.storyId, t.viewerId] }),
    index('story_views_list_idx').on(t.storyId, t.viewedAt.desc()),
  ],
);

/** Every reaction counts: the author is told of each one. */
export const storyReactions = pgTable(
  'story_reactions',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    storyId: uuid('story_id')
      .notNull()
      .references(() => stories.id, { onDelete: 'cascade' }),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    emoji: text('emoji').notNull(),
    reactedAt: timestamp('reacted_at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
  },
  (t) => [index('story_reactions_list_idx').on(t.storyId, t.reactedAt.desc(), t.id.desc())],
);

export type StoryRow = typeof stories.$inferSelect;
export type StoryViewRow = typeof storyViews.$inferSelect;
export type StoryReactionRow = typeof storyReactions.$inferSelect;
