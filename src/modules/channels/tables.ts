import { type AnyPgColumn, index, integer, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { users } from '../users/tables.ts';

export const channels = pgTable('channels', {
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
});

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
    createdAt: timestamp('created_at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
  },
  (t) => [index('products_channel_idx').on(t.channelId, t.createdAt)],
);

export type ChannelRow = typeof channels.$inferSelect;
export type ProductRow = typeof products.$inferSelect;
