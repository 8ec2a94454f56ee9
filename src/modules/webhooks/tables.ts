import { bigint, index, integer, pgEnum, pgTable, primaryKey, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { users } from '../users/tables.ts';

export const webhookStatus = pgEnum('webhook_status', ['ACTIVE', 'PAUSED']);

/** An endpoint of a team's backend that is POSTed every committed event of its topics, in order per key. */
export const webhooks = pgTable('webhooks', {
  id: uuid('id').primaryKey().defaultRandom(),
  url: text('url').notNull(),
  topics: text('topics').array().notNull(),
  description: text('description'),
  /** The HMAC key of `Plaza-Signature`, hex; shown once, at creation. */
  secret: text('secret').notNull(),
  status: webhookStatus('status').notNull().default('ACTIVE'),
  pausedReason: text('paused_reason'),
  createdBy: uuid('created_by')
    .notNull()
    .references(() => users.id),
  /** Events committed from then on are delivered. */
  createdAt: timestamp('created_at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
});

/** How far each stream (topic, key) has been delivered to each webhook, and its failing attempt if any. */
export const webhookProgress = pgTable(
  'webhook_progress',
  {
    webhookId: uuid('webhook_id')
      .notNull()
      .references(() => webhooks.id, { onDelete: 'cascade' }),
    topic: text('topic').notNull(),
    key: text('key').notNull(),
    deliveredSeq: bigint('delivered_seq', { mode: 'number' }).notNull().default(0),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: timestamp('next_attempt_at', { withTimezone: true, precision: 3 }),
    lastError: text('last_error'),
  },
  (t) => [primaryKey({ columns: [t.webhookId, t.topic, t.key] })],
);

/** Each attempt to deliver an event, for the admins to see. */
export const webhookDeliveries = pgTable(
  'webhook_deliveries',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    webhookId: uuid('webhook_id')
      .notNull()
      .references(() => webhooks.id, { onDelete: 'cascade' }),
    topic: text('topic').notNull(),
    key: text('key').notNull(),
    seq: bigint('seq', { mode: 'number' }).notNull(),
    status: text('status').$type<'DELIVERED' | 'FAILED'>().notNull(),
    attempt: integer('attempt').notNull(),
    responseStatus: integer('response_status'),
    error: text('error'),
    durationMs: integer('duration_ms').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
  },
  (t) => [index('webhook_deliveries_list_idx').on(t.webhookId, t.createdAt.desc(), t.id.desc()), index('webhook_deliveries_created_idx').on(t.createdAt)],
);

export type WebhookRow = typeof webhooks.$inferSelect;
export type WebhookDeliveryRow = typeof webhookDeliveries.$inferSelect;

/** Which instance delivers (one row, id 1): held while `until` is ahead, renewed by its holder every pass. */
export const webhookLease = pgTable('webhook_lease', {
  id: integer('id').primaryKey(),
  holder: text('holder').notNull(),
  until: timestamp('until', { withTimezone: true, precision: 3 }).notNull(),
});
