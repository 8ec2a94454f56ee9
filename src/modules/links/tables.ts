import { sql } from 'drizzle-orm';
import { index, integer, jsonb, pgEnum, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { posts } from '../posts/tables.ts';

export const linkStatus = pgEnum('link_status', ['PENDING', 'READY', 'FAILED', 'BLOCKED']);
export type LinkStatus = (typeof linkStatus.enumValues)[number];

/** What the worker extracted from a page; every field optional. */
export interface LinkMetadataJson {
  title?: string | null;
  description?: string | null;
  image?: string | null;
  siteName?: string | null;
  url?: string | null;
  type?: string | null;
  embed?: {
    type: string;
    provider?: string | null;
    url?: string | null;
    html?: string | null;
    width?: number | null;
    height?: number | null;
  } | null;
}

export const links = pgTable(
  'links',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    postId: uuid('post_id')
      .notNull()
      .references(() => posts.id, { onDelete: 'cascade' }),
    /** Order of the link within its post. */
    position: integer('position').notNull(),
    url: text('url').notNull(),
    /** The cache key: the URL without fragment or tracking parameters (see normalize.ts). */
    normalizedUrl: text('normalized_url').notNull(),
    status: linkStatus('status').notNull().default('PENDING'),
    metadata: jsonb('metadata').$type<LinkMetadataJson>(),
    error: text('error'),
    fetchedAt: timestamp('fetched_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('links_post_idx').on(t.postId, t.position),
    index('links_cache_idx').on(t.normalizedUrl, t.fetchedAt.desc()).where(sql`${t.status} = 'READY'`),
  ],
);

export type LinkRow = typeof links.$inferSelect;
