import { type SQL, sql } from 'drizzle-orm';
import type { Database, Executor } from '../db/client.ts';
import type { Logger } from '../logger.ts';
import { activeTraceparent } from '../observability/trace-context.ts';

/** Topic name -> payload type. Payloads cross PostgreSQL and Redis as JSON. */
export type TopicMap = Record<string, object>;

/** The topics of the real-time layer itself. */
export type RealtimeTopics = {
  /** Stored events of streams keyed `key` were erased (`outbox.erase`): every instance drops its replay pages of them. */
  'stream:erased': { key: string };
};

/** The stream every instance follows for erasures. */
export const ERASURES = { topic: 'stream:erased', key: 'all' } as const;

export interface StoredEvent<P> {
  seq: number;
  payload: P;
  /** The trace of the work that recorded it (a W3C traceparent), when that was traced: published with it. */
  trace?: string;
}

/**
 * Without Redis, the PostgreSQL channel the sequencer notifies when it has
 * numbered events, with `[topic, key, last seq]`: the broker itself. (The
 * name is also written in the sequencer's SQL, `plaza_number_events`.)
 */
export const EVENTS_CHANNEL = 'plaza_events';

/** The most events one `plaza_number_events` call numbers (written in its SQL too). */
export const NUMBERING_BATCH = 1_000;

/** An event as numbered: what is published. */
export interface RecordedEvent {
  topic: string;
  key: string;
  seq: number;
  payload: object;
  /** See StoredEvent. */
  trace?: string;
}

export interface OutboxOptions {
  /**
   * With Redis, the publication of each event the outbox numbers (the relay
   * catches whatever this misses). Without it, the sequencer sends NOTIFY.
   */
  afterCommit?: (event: RecordedEvent) => void;
  /** Told how many events of a topic this process numbered (metrics). */
  onNumbered?: (topic: string, count: number) => void;
  logger?: Logger;
}

type Stream = { topic: string; key: string };

/**
 * The transactional outbox. `record` runs inside the transaction of the
 * change (`transaction` opens one): the event commits with it or not at all.
 *
 * Sequence numbers follow commit order per (topic, key) without making
 * writers wait on each other: `record` inserts the event unnumbered, and once
 * the transaction has committed, `transaction` has the sequencer
 * (`plaza_number_events`, in the migrations) number every committed,
 * unnumbered event of the stream, under a lock on the stream (an advisory
 * lock taken inside that one statement, held no longer than its own commit). An event is only
 * ever read or published with its number, so a reader that sees number n has
 * every number below it committed; numberings of a busy stream cover each
 * other's events in batches. An event whose writer died between its COMMIT
 * and the numbering is numbered by the relay's sweep.
 */
export function createOutbox<T extends TopicMap>(db: Database, { afterCommit, onNumbered, logger }: OutboxOptions = {}) {
  // Streams written in each open transaction, numbered once it commits.
  const recordedIn = new WeakMap<object, Stream[]>();
  // Told of each event this process numbers (watchNumbered).
  const watchers = new Set<(event: RecordedEvent) => void>();
  const notify = !afterCommit;

  /** Numbers what is waiting in one stream (a call at a time, a batch each); hands each event numbered to afterCommit. */
  async function number(stream: Stream): Promise<void> {
    for (;;) {
      const result = await db.execute<{ seq: string; payload: object; trace: string | null }>(
        sql`select seq, payload, trace from plaza_number_events(${stream.topic}, ${stream.key}, ${notify})`,
      );
      if (result.rows.length > 0) {
        const events = result.rows.map((row): RecordedEvent => {
          const event: RecordedEvent = { ...stream, seq: Number(row.seq), payload: row.payload };
          if (row.trace !== null) event.trace = row.trace;
          return event;
        });
        if (afterCommit) for (const event of events) afterCommit(event);
        // After the caller's own continuation (its response goes out first), in numbering order.
        if (watchers.size > 0) setImmediate(() => {
          for (const watcher of watchers) for (const event of events) watcher(event);
        });
        onNumbered?.(stream.topic, result.rows.length);
      }
      if (result.rows.length < NUMBERING_BATCH) return;
    }
  }

  // Per stream, the numbering running in this process and the one queued after it: commits that land while
  // one runs share the next (a busy section's writers are numbered in batches, not one call each).
  const numberings = new Map<string, { running: Promise<void>; queued: Promise<void> | null }>();

  function start(id: string, stream: Stream): Promise<void> {
    const running = number(stream)
      .catch((err: Error) => logger?.warn({ err: err.message, topic: stream.topic }, 'numbering events after commit failed; the relay will'))
      .finally(() => {
        if (numberings.get(id)?.running === running) numberings.delete(id);
      });
    numberings.set(id, { running, queued: null });
    return running;
  }

  /** Resolves once a numbering that began after this call has run: the caller's committed events have their numbers. */
  function numberAfterCommit(stream: Stream): Promise<void> {
    const id = `${stream.topic}\u0000${stream.key}`;
    const state = numberings.get(id);
    if (!state) return start(id, stream);
    // The running one may have looked before this commit; the next one, once it is done, cannot have.
    state.queued ??= state.running.then(() => start(id, stream));
    return state.queued;
  }

  /**
   * Many events of one topic as a statement to put in the caller's own single
   * statement (a data-modifying CTE beside the change), for a change that
   * commits on its own without a transaction block: one round trip. `rows` is
   * a query giving each event's `key` and `payload` (jsonb). Once the statement
   * has committed, `number(topic, key)` numbers and publishes them.
   */
  function eventsInsert(topic: string, rows: SQL): SQL {
    // Traced, the events carry the trace of the work recording them (OpenTelemetry; nothing when it is off).
    const trace = activeTraceparent();
    const [column, value] = trace === undefined ? [sql``, sql``] : [sql`, trace`, sql`, ${trace}`];
    return sql`insert into events (topic, key, payload${column}) select ${topic}, e.key, e.payload${value} from (${rows}) as e returning key`;
  }

  /** One event as such a statement (`eventsInsert`). */
  function eventInsert(topic: string, key: string, payload: unknown): SQL {
    return eventsInsert(topic, sql`select ${key}::text as key, ${JSON.stringify(payload)}::jsonb as payload`);
  }

  return {
    /**
     * Runs `work` in a transaction; once it commits, numbers the events it
     * recorded (and publishes them). A numbering that fails is left to the
     * relay: the change and its events are committed either way.
     */
    async transaction<R>(work: (tx: Executor) => Promise<R>): Promise<R> {
      const streams: Stream[] = [];
      const result = await db.transaction(async (tx) => {
        recordedIn.set(tx, streams);
        return work(tx);
      });
      for (const stream of streams) await numberAfterCommit(stream);
      return result;
    },

    /** Records one event, unnumbered, in the caller's transaction (opened by `transaction`). */
    async record<K extends keyof T & string>(tx: Executor, topic: K, key: string, payload: T[K]): Promise<void> {
      const streams = recordedIn.get(tx);
      if (!streams) throw new Error('outbox.record outside outbox.transaction: its event would wait for the relay');
      await tx.execute(eventInsert(topic, key, payload));
      if (!streams.some((s) => s.topic === topic && s.key === key)) streams.push({ topic, key });
    },

    /**
     * The caller's own statement inserted events of this stream in the transaction (`eventsInsert`, beside a
     * change, to spare a round trip): they are numbered once it commits, as `record`'s are.
     */
    noteRecorded<K extends keyof T & string>(tx: Executor, topic: K, key: string): void {
      const streams = recordedIn.get(tx);
      if (!streams) throw new Error('outbox.noteRecorded outside outbox.transaction');
      if (!streams.some((s) => s.topic === topic && s.key === key)) streams.push({ topic, key });
    },

    /**
     * Rewrites the stored events of streams keyed `key` (of these topics)
     * that speak of `subject` (their payload's `id`, `postId` or `storyId`)
     * to tombstones, `{ erased: true }` with only those ids and `sectionId`:
     * what was deleted is never replayed. Runs in the caller's transaction
     * (`transaction`), and records that the streams were erased, so every
     * instance drops the replay pages it keeps of them.
     */
    async erase(tx: Executor, topics: readonly string[], key: string, subject: string): Promise<void> {
      await tx.execute(sql`
        update events set payload = jsonb_strip_nulls(jsonb_build_object(
          'erased', true, 'id', payload->'id', 'postId', payload->'postId', 'storyId', payload->'storyId', 'sectionId', payload->'sectionId'))
        where topic = any(${sql.param([...topics])}::text[]) and key = ${key}
          and ${subject} in (payload->>'id', payload->>'postId', payload->>'storyId') and payload->'erased' is null`);
      const streams = recordedIn.get(tx);
      if (!streams) throw new Error('outbox.erase outside outbox.transaction');
      await tx.execute(eventInsert(ERASURES.topic, ERASURES.key, { key }));
      if (!streams.some((s) => s.topic === ERASURES.topic)) streams.push({ ...ERASURES });
    },

    /** One event as a statement to put in the caller's own (`eventsInsert`). */
    eventInsert<K extends keyof T & string>(topic: K, key: string, payload: T[K]): SQL {
      return eventInsert(topic, key, payload);
    },

    /** Many events of one topic as a statement to put in the caller's own (see the function above). */
    eventsInsert<K extends keyof T & string>(topic: K, rows: SQL): SQL {
      return eventsInsert(topic, rows);
    },

    /**
     * Tells `watcher` of each event this process numbers, in order, once it
     * has its number and before any broker has carried it: this instance's
     * streams hand it to their subscribers without the round trip through
     * Redis or NOTIFY (whose copy they then skip as already seen). Returns the
     * way to stop.
     */
    watchNumbered(watcher: (event: RecordedEvent) => void): () => void {
      watchers.add(watcher);
      return () => void watchers.delete(watcher);
    },

    /** Numbers whatever committed events of a stream wait for a number. */
    number: (topic: string, key: string) => numberAfterCommit({ topic, key }),

    /** Events of one stream after `afterSeq`, in order, at most `limit`. */
    async read<K extends keyof T & string>(topic: K, key: string, afterSeq: number, limit = 500): Promise<StoredEvent<T[K]>[]> {
      const result = await db.execute<{ seq: string; payload: T[K] }>(sql`
        select seq, payload from events
        where topic = ${topic} and key = ${key} and seq > ${afterSeq}
        order by seq limit ${limit}`);
      return result.rows.map((row) => ({ seq: Number(row.seq), payload: row.payload }));
    },

    /** As `read`, with the size of each event's JSON in bytes (what a replay keeps in memory is bounded by it). */
    async readSized<K extends keyof T & string>(
      topic: K,
      key: string,
      afterSeq: number,
      limit: number,
    ): Promise<Array<StoredEvent<T[K]> & { bytes: number }>> {
      const result = await db.execute<{ seq: string; payload: T[K]; bytes: number }>(sql`
        select seq, payload, octet_length(payload::text) as bytes from events
        where topic = ${topic} and key = ${key} and seq > ${afterSeq}
        order by seq limit ${limit}`);
      return result.rows.map((row) => ({ seq: Number(row.seq), payload: row.payload, bytes: Number(row.bytes) }));
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
              select ctid from events
              where created_at < now() - make_interval(secs => ${retentionHours * 3600}) and seq is not null
              limit ${batch}
            )
            returning topic, key, seq
          ), highest as (
            select topic, key, max(seq) as seq, count(*) as n from gone group by topic, key
          ), marked as (
            update event_streams s set pruned_seq = greatest(s.pruned_seq, h.seq)
            from highest h where s.topic = h.topic and s.key = h.key
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
