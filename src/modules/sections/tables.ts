import { index, pgEnum, pgTable, primaryKey, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { users } from '../users/tables.ts';

/** PUBLIC: every signed-in user reads it; MEMBERS: only its members, moderators and owner. */
export const sectionVisibility = pgEnum('section_visibility', ['PUBLIC', 'MEMBERS']);

export const sections = pgTable('sections', {
  id: uuid('id').primaryKey().defaultRandom(),
  slug: text('slug').notNull().unique('sections_slug_key'),
  name: text('name').notNull(),
  /** Its owner. */
  createdBy: uuid('created_by')
    .notNull()
    .references(() => users.id),
  visibility: sectionVisibility('visibility').notNull().default('PUBLIC'),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
});

export type SectionRow = typeof sections.$inferSelect;

/** A user's role in a section beside its owner's: a moderator, or a member of a MEMBERS section. */
export const sectionRole = pgEnum('section_role', ['MODERATOR', 'MEMBER']);

export const sectionRoles = pgTable(
  'section_roles',
  {
    sectionId: uuid('section_id')
      .notNull()
      .references(() => sections.id, { onDelete: 'cascade' }),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    role: sectionRole('role').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.sectionId, t.userId] }), index('section_roles_user_idx').on(t.userId)],
);

/** Who may not post, react or report in a section, until when (null: until unbanned). */
export const sectionBans = pgTable(
  'section_bans',
  {
    sectionId: uuid('section_id')
      .notNull()
      .references(() => sections.id, { onDelete: 'cascade' }),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    reason: text('reason'),
    until: timestamp('until', { withTimezone: true }),
    bannedBy: uuid('banned_by')
      .notNull()
      .references(() => users.id),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.sectionId, t.userId] })],
);
