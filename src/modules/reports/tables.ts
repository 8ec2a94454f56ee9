import { index, jsonb, pgEnum, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { posts } from '../posts/tables.ts';
import { sections } from '../sections/tables.ts';
import { users } from '../users/tables.ts';

/** What a moderator did with a report. */
export const reportAction = pgEnum('report_action', ['KEEP', 'DELETE_POST', 'BAN_AUTHOR']);

/** The post as it was when it was reported: what the moderators judge, even once it is edited or deleted. */
export interface ReportedPostJson {
  authorId: string;
  content: string;
  /** ISO-8601 */
  createdAt: string;
  editedAt: string | null;
}

export const reports = pgTable(
  'post_reports',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    sectionId: uuid('section_id')
      .notNull()
      .references(() => sections.id, { onDelete: 'cascade' }),
    /** Null once the post is deleted: the report stays, with its snapshot. */
    postId: uuid('post_id').references(() => posts.id, { onDelete: 'set null' }),
    reporterId: uuid('reporter_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    reason: text('reason').notNull(),
    post: jsonb('post').$type<ReportedPostJson>().notNull(),
    action: reportAction('action'),
    resolvedBy: uuid('resolved_by').references(() => users.id, { onDelete: 'set null' }),
    resolvedAt: timestamp('resolved_at', { withTimezone: true, precision: 3 }),
    createdAt: timestamp('created_at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
  },
  (t) => [
    index('post_reports_section_idx').on(t.sectionId, t.createdAt.desc(), t.id.desc()),
    // One report per reporter and post: reporting again changes nothing.
    uniqueIndex('post_reports_once_key').on(t.postId, t.reporterId),
  ],
);

export type ReportRow = typeof reports.$inferSelect;
