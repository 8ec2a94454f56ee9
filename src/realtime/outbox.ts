import { sql } from 'drizzle-orm';
import type { Database, Executor } from '../db/client.ts';

/** Topic name -> payload type. Payloads cross PostgreSQL and Redis as JSON. */
export type TopicMap = Record<string, object>;

export interface StoredEvent<P> {
  seq: number;
  payload: P;
}

/** Without Redis, the PostgreSQL channel every recorded event notifies at commit, with `[topic, key, seq]`: the broker itself. */
export const EVENTS_CHANNEL = 'plaza_events';

/** An event as recorded, with its place: what is published once it commits. */
export interface RecordedEvent {
  topic: string;
  key: string;
  seq: number;
  payload: object;
}

export interface OutboxOptions {
  /**
   * Runs once the transaction that recorded `event` has committed: with
   * Redis, its publication (the relay catches whatever this misses). Without
   * it, each commit sends NOTIFY instead.
   */
  afterCommit?: (event: RecordedEvent) => void;
}

/**
 * The transactional outbox. `record` runs inside the transaction of the
 * change (`transaction` opens one): the event commits with it or not at all.
 *
 * Sequence numbers follow commit order per (topic, key): `record` bumps the
 * stream's counter with an upsert, whose row lock is held until the writer
 * commits, so the next writer of that key waits, reads the committed counter
 * and commits after. Services record last, just before COMMIT, so a busy key
 * holds its lock for one statement and the commit. Keys of different streams
 * never wait on each other.
 */
export function createOutbox<T extends TopicMap>(db: Database, { afterCommit }: OutboxOptions = {}) {
  // Events recorded in each open transaction, handed to afterCommit once it commits.
  const recordedIn = new WeakMap<object, RecordedEvent[]>();
  const notify = !afterCommit;
  return {
    /** Runs `work` in a transaction; the events it records are published after COMMIT, off the caller's path. */
    async transaction<R>(work: (tx: Executor) => Promise<R>): Promise<R> {
      const recorded: RecordedEvent[] = [];
      const result = await db.transaction(async (tx) => {
        recordedIn.set(tx, recorded);
        return work(tx);
      });
      if (afterCommit) for (const event of recorded) afterCommit(event);
      return result;
    },

    /** Records one event in the caller's transaction; returns its sequence number. */
    async record<K extends keyof T & string>(tx: Executor, topic: K, key: string, payload: T[K]): Promise<number> {
      const announce = notify
        ? sql`, pg_notify(${EVENTS_CHANNEL}, json_build_array(${topic}::text, ${key}::text, seq)::text)`
        : sql``;
      const result = await tx.execute<{ seq: string }>(sql`
        with stream as (
          insert into event_streams (topic, key, last_seq) values (${topic}, ${key}, 1)
          on conflict (topic, key) do update set last_seq = event_streams.last_seq + 1
          returning last_seq
        ), recorded as (
          insert into events (topic, key, seq, payload)
          select ${topic}, ${key}, last_seq, ${JSON.stringify(payload)}::jsonb from stream
          returning seq
        )
        select seq${announce} from recorded`);
      const seq = Number(result.rows[0]!.seq);
      recordedIn.get(tx)?.push({ topic, key, seq, payload });
      return seq;
    },

    /** Events of one stream after `afterSeq`, in order, at most `limit`. */
    async read<K extends keyof T & string>(topic: K, key: string, afterSeq: number, limit = 500): Promise<StoredEvent<T[K]>[]> {
      const result = await db.execute<{ seq: string; payload: T[K] }>(sql`
        select seq, payload from events
        where topic = ${topic} and key = ${key} and seq > ${afterSeq}
        order by seq limit ${limit}`);
      return result.rows.map((row) => ({ seq: Number(row.seq), payload: row.payload }));
    },

    /** Where a stream stands: the last sequence number committed, and the highest one pruned. */
    async head(topic: keyof T & string, key: string): Promise<{ lastSeq: number; prunedSeq: number }> {
      const result = await db.execute<{ last_seq: string; pruned_seq: string }>(sql`
        select last_seq, pruned_seq from event_streams where topic = ${topic} and key = ${key}`);
      const row = result.rows[0];
      return { lastSeq: Number(row?.last_seq ?? 0), prunedSeq: Number(row?.pruned_seq ?? 0) };
    },

    /** Deletes events older than the retention, a batch at a time; returns how many went. */
    async prune(retentionHours: number, batch = 5_000): Promise<number> {
      let total = 0;
      for (;;) {
        const result = await db.execute<{ n: string }>(sql`
          with gone as (
            delete from events where ctid in (
              select ctid from events where created_at < now() - make_interval(secs => ${retentionHours * 3600}) limit ${batch}
            )
            returning topic, key, seq
          ), highest as (
            select topic, key, max(seq) as seq, count(*) as n from gone group by topic, key
          ), marked as (
            update event_streams s set pruned_seq = greatest(s.pruned_seq, h.seq)
            from highest h where s.topic = h.topic and s.key = h.key
          ), passed as (
            -- What is pruned will not be published any more: the relay moves past it.
            insert into event_relay (topic, key, published_seq) select topic, key, seq from highest
            on conflict (topic, key) do update set published_seq = greatest(event_relay.published_seq, excluded.published_seq)
          )
          select coalesce(sum(n), 0) as n from highest`);
        const n = Number(result.rows[0]?.n ?? 0);
        total += n;
        if (n < batch) return total;
      }
    },
  };
}

export type Outbox<T extends TopicMap> = ReturnType<typeof createOutbox<T>>;
