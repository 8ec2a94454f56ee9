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
  author?: string | null;
  /** ISO-8601. */
  publishedAt?: string | null;
  /** ISO-8601; only when later than publishedAt. */
  modifiedAt?: string | null;
  /** Lower-case BCP 47 primary subtag. */
  lang?: string | null;
  /** Absolute URL of the site's best icon. */
  icon?: string | null;
  imageWidth?: number | null;
  imageHeight?: number | null;
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
    // The links waiting on one page's fetch, finished together.
    index('links_pending_url_idx').on(t.normalizedUrl).where(sql`${t.status} = 'PENDING'`),
  ],
);

/**
 * The page fetches under way, one per normalised URL cluster-wide: the job
 * that holds a URL's row fetches it and finishes every link waiting on it;
 * the others wait. A holder that died lets go when its row expires. Rows are
 * claimed by `plaza_claim_link_fetch` (in the migrations), which also holds
 * each host to `LINK_FETCH_PER_HOST` unexpired rows.
 */
export const linkFetches = pgTable(
  'link_fetches',
  {
    normalizedUrl: text('normalized_url').primaryKey(),
    /** The link whose job fetches the page. */
    linkId: uuid('link_id').notNull(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    /** The URL's host (and port), as `URL.host`: the per-host limit counts a host's rows. */
    host: text('host').notNull().default(''),
  },
  (t) => [index('link_fetches_host_idx').on(t.host)],
);

export type LinkRow = typeof links.$inferSelect;
