import { sql } from 'drizzle-orm';
import { bigint, customType, index, jsonb, pgTable, primaryKey, smallint, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';

/** A 64-bit transaction id, as text on the JavaScript side. */
const xid8 = customType<{ data: string }>({ dataType: () => 'xid8' });

/**
 * One row per (topic, key): the last sequence number given out and the
 * highest one pruned. The sequencer (`plaza_sequence_events`, see outbox.ts)
 * bumps `last_seq` after the writers' commits, under this row's lock.
 * Nothing indexes `last_seq`, so the bump is a HOT update: a busy stream's row
 * does not bloat its index. Half of each page is left free for those updates
 * (the migration sets `fillfactor`).
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

/**
 * How far the relay has gone through the events in numbering order (`numbered_xid`, then stream and
 * sequence number): everything before this position is known to have reached the broker. One row.
 */
export const eventRelayPosition = pgTable('event_relay_position', {
  id: smallint('id').primaryKey().default(1),
  numberedXid: xid8('numbered_xid').notNull(),
  topic: text('topic').notNull(),
  key: text('key').notNull(),
  seq: bigint('seq', { mode: 'number' }).notNull(),
});

/**
 * The outbox: every event, recorded in the transaction of the change that
 * caused it, without a sequence number (`seq` null); the sequencer numbers it
 * once it has committed. `id` only orders the events waiting for a number.
 */
export const events = pgTable(
  'events',
  {
    id: bigint('id', { mode: 'number' }).generatedAlwaysAsIdentity(),
    topic: text('topic').notNull(),
    key: text('key').notNull(),
    seq: bigint('seq', { mode: 'number' }),
    payload: jsonb('payload').notNull(),
    /** The W3C `traceparent` of the work that recorded the event, when it was traced: its delivery joins that trace. */
    trace: text('trace'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('events_stream_seq_idx').on(t.topic, t.key, t.seq),
    // What the sequencer looks for: small, as events are numbered right after they commit.
    index('events_unnumbered_idx').on(t.topic, t.key, t.id).where(sql`${t.seq} is null`),
    // Events arrive in time order: a BRIN index finds the old ones for pruning at a fraction of a btree's
    // cost on every insert.
    index('events_created_at_idx').using('brin', t.createdAt),
  ],
);
