import { bigint, index, jsonb, pgTable, primaryKey, text, timestamp } from 'drizzle-orm/pg-core';

/**
 * One row per (topic, key): the last sequence number given out and the
 * highest one pruned. A writer bumps `last_seq` in its own transaction; the
 * row lock it takes makes sequence numbers follow commit order for that key
 * (see outbox.ts). Nothing indexes `last_seq`, so the bump is a HOT update:
 * a busy stream's row does not bloat its index. Half of each page is left
 * free for those updates (the migration sets `fillfactor`).
 */
export const eventStreams = pgTable(
  'event_streams',
  {
    topic: text('topic').notNull(),
    key: text('key').notNull(),
    lastSeq: bigint('last_seq', { mode: 'number' }).notNull().default(0),
    prunedSeq: bigint('pruned_seq', { mode: 'number' }).notNull().default(0),
  },
  (t) => [primaryKey({ name: 'event_streams_pkey', columns: [t.topic, t.key] })],
);

/** How far the relay knows each stream was published: kept apart so it never touches a writer's row. */
export const eventRelay = pgTable(
  'event_relay',
  {
    topic: text('topic').notNull(),
    key: text('key').notNull(),
    publishedSeq: bigint('published_seq', { mode: 'number' }).notNull().default(0),
  },
  (t) => [primaryKey({ name: 'event_relay_pkey', columns: [t.topic, t.key] })],
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
    // Events arrive in time order: a BRIN index finds the old ones for pruning at a fraction of a btree's
    // cost on every insert.
    index('events_created_at_idx').using('brin', t.createdAt),
  ],
);
