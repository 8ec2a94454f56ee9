import { index, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { sections } from '../sections/tables.ts';
import { users } from '../users/tables.ts';

export const posts = pgTable(
  'posts',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    sectionId: uuid('section_id')
      .notNull()
      .references(() => sections.id, { onDelete: 'cascade' }),
    authorId: uuid('author_id')
      .notNull()
      .references(() => users.id),
    content: text('content').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
    /** When its author last edited it; null when never. */
    editedAt: timestamp('edited_at', { withTimezone: true, precision: 3 }),
  },
  // The feed reads a section newest first, keyed by (created_at, id) for stable cursors.
  (t) => [index('posts_section_feed_idx').on(t.sectionId, t.createdAt.desc(), t.id.desc())],
);

export type PostRow = typeof posts.$inferSelect;
