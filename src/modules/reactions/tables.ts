import { pgTable, primaryKey, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { posts } from '../posts/tables.ts';
import { users } from '../users/tables.ts';

export const reactions = pgTable(
  'post_reactions',
  {
    postId: uuid('post_id')
      .notNull()
      .references(() => posts.id, { onDelete: 'cascade' }),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    emoji: text('emoji').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  // One reaction per (post, user, emoji): adding twice is a no-op.
  (t) => [primaryKey({ name: 'post_reactions_pkey', columns: [t.postId, t.emoji, t.userId] })],
);
