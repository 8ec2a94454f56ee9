import { sql } from 'drizzle-orm';
import { bigint, index, jsonb, pgTable, primaryKey, text, timestamp } from 'drizzle-orm/pg-core';

/**
 * One row per (topic, key): the last sequence number given out, the last one
 * the relay published, and the highest one pruned. A writer bumps `last_seq`
 * in its own transaction; the row lock it takes makes sequence numbers follow
 * commit order for that key (see outbox.ts).
 */
export const eventStreams = pgTable(
  'event_streams',
  {
    topic: text('topic').notNull(),
    key: text('key').notNull(),
    lastSeq: bigint('last_seq', { mode: 'number' }).notNull().default(0),
    publishedSeq: bigint('published_seq', { mode: 'number' }).notNull().default(0),
    prunedSeq: bigint('pruned_seq', { mode: 'number' }).notNull().default(0),
  },
  (t) => [
    primaryKey({ name: 'event_streams_pkey', columns: [t.topic, t.key] }),
    // The relay looks only at streams with something left to publish.
    index('event_streams_unpublished_idx').on(t.topic, t.key).where(sql`${t.lastSeq} > ${t.publishedSeq}`),
  ],
);

/** The outbox: every event, recorded in the transaction of the change that caused it. */
export const events = pgTable(
  'events',
  {
    topic: text('topic').notNull(),
    key: text('key').notNull(),
    seq: bigint('seq', { mode: 'number' }).notNull(),
    payload: jsonb('payload').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ name: 'events_pkey', columns: [t.topic, t.key, t.seq] }),
    index('events_created_at_idx').on(t.createdAt),
  ],
);
