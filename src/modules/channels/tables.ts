import { type AnyPgColumn, check, index, integer, pgTable, primaryKey, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { sql } from 'drizzle-orm';
import { users } from '../users/tables.ts';

export const channels = pgTable(
  'channels',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    name: text('name').notNull(),
    sellerId: uuid('seller_id')
      .notNull()
      .references(() => users.id),
    highlightedProductId: uuid('highlighted_product_id').references((): AnyPgColumn => products.id, { onDelete: 'set null' }),
    highlightedAt: timestamp('highlighted_at', { withTimezone: true, precision: 3 }),
    /** Grows by one with every highlight change, in the same UPDATE: the order every subscriber sees. */
    version: integer('version').notNull().default(0),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  // The directory's order past the live ones: newest first.
  (t) => [index('channels_newest_idx').on(t.createdAt.desc(), t.id.desc())],
);

export const products = pgTable(
  'products',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    channelId: uuid('channel_id')
      .notNull()
      .references(() => channels.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    description: text('description'),
    /** In the currency's minor unit. */
    priceCents: integer('price_cents').notNull(),
    /** ISO 4217, upper case. */
    currency: text('currency').notNull(),
    imageUrl: text('image_url'),
    /** Units left to claim; null = unlimited. Never below 0 (claims decrement it under the row's lock). */
    stock: integer('stock'),
    /** Set when the seller removes it: kept for the claims that name it, no longer offered. */
    removedAt: timestamp('removed_at', { withTimezone: true, precision: 3 }),
    createdAt: timestamp('created_at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
  },
  (t) => [index('products_channel_idx').on(t.channelId, t.createdAt), check('products_stock_not_negative', sql`${t.stock} >= 0`)],
);

/** A buyer's claim on units of a product: what was taken from its stock. */
export const productClaims = pgTable(
  'product_claims',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    productId: uuid('product_id')
      .notNull()
      .references(() => products.id, { onDelete: 'cascade' }),
    channelId: uuid('channel_id')
      .notNull()
      .references(() => channels.id, { onDelete: 'cascade' }),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    quantity: integer('quantity').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
  },
  (t) => [
    index('product_claims_product_user_idx').on(t.productId, t.userId),
    index('product_claims_channel_idx').on(t.channelId, t.createdAt, t.id),
    check('product_claims_quantity_positive', sql`${t.quantity} > 0`),
  ],
);

/** Moderators of a channel (its chat and bans), named by its seller. */
export const channelModerators = pgTable(
  'channel_moderators',
  {
    channelId: uuid('channel_id')
      .notNull()
      .references(() => channels.id, { onDelete: 'cascade' }),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.channelId, t.userId] })],
);

/** Who may not chat in, see the chat of, or claim in a channel, until when (null: until unbanned). */
export const channelBans = pgTable(
  'channel_bans',
  {
    channelId: uuid('channel_id')
      .notNull()
      .references(() => channels.id, { onDelete: 'cascade' }),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    until: timestamp('until', { withTimezone: true }),
    bannedBy: uuid('banned_by')
      .notNull()
      .references(() => users.id),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.channelId, t.userId] })],
);

/**
 * The live-channel directory: one row per channel whose seller has it open, with its viewer count, as the
 * instance that published its presence last wrote it (directory.ts). `refreshed_at` is renewed while an
 * instance holds the channel's viewers: a row left by instances that all died goes stale and is not listed.
 */
export const channelLive = pgTable(
  'channel_live',
  {
    channelId: uuid('channel_id')
      .primaryKey()
      .references(() => channels.id, { onDelete: 'cascade' }),
    viewerCount: integer('viewer_count').notNull(),
    liveSince: timestamp('live_since', { withTimezone: true }).notNull().defaultNow(),
    refreshedAt: timestamp('refreshed_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('channel_live_rank_idx').on(t.viewerCount.desc(), t.channelId.desc())],
);

export type ChannelRow = typeof channels.$inferSelect;
export type ProductRow = typeof products.$inferSelect;
export type ClaimRow = typeof productClaims.$inferSelect;
