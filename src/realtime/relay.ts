import pg from 'pg';
import type { Logger } from '../logger.ts';
import type { Broker } from './broker.ts';
import { NUMBERING_BATCH, type TopicMap } from './outbox.ts';

export interface RelayOptions<T extends TopicMap> {
  databaseUrl: string;
  broker: Broker<T>;
  logger: Logger;
  /** How often to sweep for unpublished events, and to try for the lead; default 1 s. */
  pollMs?: number;
  /** An event younger than this is left to its writer, which numbers and publishes it after COMMIT; default 500 ms. */
  graceMs?: number;
  /**
   * Whether the relay publishes (Redis). Without, it only numbers what
   * writers left unnumbered, and the sequencer's NOTIFY is the publication.
   */
  publishing: boolean;
}

/** Any instance may relay; one at a time holds this advisory lock and does. */
const LEAD_LOCK = 0x706c617a; // "plaz"
const BATCH = 1_000;

type Row = { topic: string; key: string; seq: string; xid: string; at: string };
/** A place in the events' numbering order: after every event before it. */
type Position = { xid: string; topic: string; key: string; seq: number };

/** Events numbered by transactions older than every one still running: nothing can be numbered behind them later. */
const SETTLED = `numbered_xid is not null and numbered_xid < pg_snapshot_xmin(pg_current_snapshot())`;

/**
 * Makes sure every recorded event is numbered and reaches the broker. Writers
 * number and publish their own events right after COMMIT (outbox.ts); the
 * relay catches what they missed: a writer killed between COMMIT and
 * numbering or publishing, a publish lost while Redis was away. One instance of the cluster leads (a PostgreSQL advisory
 * lock on its own connection); the others stand by to take over if it dies.
 *
 * Once a second the leader walks the events numbered since its position
 * (`event_relay_position`) in numbering order (the numbering transaction's id,
 * then stream and sequence number, an index of its own), up to the events of
 * transactions older than every one still running: nothing can be numbered
 * behind that later. What writers were seen publishing (broker.observe) is
 * passed over; what is older than the grace period and unseen is published;
 * the walk stops at the first young, unseen event (its writer is on it), and
 * the position moves. Its cost follows the events, never the number of
 * streams. Writers' own publishes are published a second time at most once by
 * this (subscribers drop what they have already seen); in exchange the relay
 * writes its position once a second, not once per event, and never holds up a
 * writer. While Redis is away nothing advances, and the backlog goes out in
 * order when it is back. A transaction left open for long (an idle one holding
 * an id) holds the walk back with it: the relay then catches up when it ends.
 */
export function startRelay<T extends TopicMap>({ databaseUrl, broker, logger, pollMs = 1_000, graceMs = 500, publishing }: RelayOptions<T>) {
  const log = logger.child({ module: 'relay' });
  let client: pg.Client | null = null;
  let leading = false;
  let stopped = false;
  let running: Promise<void> | null = null;
  let failures = 0;
  /** Where the walk stands; read once per lead, then kept (only the leader moves it). */
  let position: Position | null = null;
  /** Per stream, a run of sequence numbers seen published on the broker, every one from `from` to `to`. */
  const seen = new Map<string, { from: number; to: number }>();
  const onSeen = (topic: string, key: string, seq: number) => {
    const id = `${topic}\u0000${key}`;
    const run = seen.get(id);
    if (!run) seen.set(id, { from: seq, to: seq });
    else if (seq === run.to + 1) run.to = seq;
    else if (seq === run.from - 1) run.from = seq;
    // Anything else (out of order, a gap) is left to the sweep: at worst it is published twice.
  };
  // Only the leader watches what is published (the processes' notes of what they published, a few messages a
  // second each): one watcher per cluster, not one per instance. A new leader has seen nothing yet, so what is past the
  // position and older than the grace period goes out once more, as after a restart; subscribers drop repeats.
  let observing: { close(): Promise<void> } | undefined;
  /** Resolves once a watcher let go (on losing the lead) has closed. */
  function setLeading(now: boolean): Promise<void> {
    let closed: Promise<void> = Promise.resolve();
    if (now && !leading) {
      log.info('relaying events');
      observing ??= broker.observe?.(onSeen);
    } else if (!now && leading) {
      closed = observing?.close() ?? closed;
      observing = undefined;
      seen.clear();
      position = null;
    }
    leading = now;
    return closed;
  }
  const wasSeen = (id: string, seq: number) => {
    const run = seen.get(id);
    return run !== undefined && seq >= run.from && seq <= run.to;
  };

  async function connect() {
    const next = new pg.Client({ connectionString: databaseUrl, application_name: 'plaza-relay' });
    next.on('error', (err) => log.warn({ err: err.message }, 'relay connection failed'));
    next.on('end', () => {
      if (client === next) {
        client = null;
        void setLeading(false);
      }
    });
    await next.connect();
    client = next;
  }

  async function tryToLead() {
    if (!client) await connect();
    const { rows } = await client!.query<{ locked: boolean }>('select pg_try_advisory_lock($1) as locked', [LEAD_LOCK]);
    void setLeading(rows[0]?.locked === true);
  }

  /** Numbers the events committed more than `grace` ago and still unnumbered (their writer died after COMMIT). */
  async function numberLeftovers(db: pg.Client, grace: number): Promise<void> {
    const { rows } = await db.query<{ topic: string; key: string }>(
      `select distinct topic, key from events where seq is null and created_at < now() - make_interval(secs => $1) limit 1000`,
      [grace / 1000],
    );
    for (const row of rows) {
      // A call numbers at most 1,000 (the sequencer's batch): a backlog takes several.
      for (let numbered = NUMBERING_BATCH; numbered === NUMBERING_BATCH && !stopped; ) {
        const result = await db.query('select seq from plaza_number_events($1, $2, $3)', [row.topic, row.key, !publishing]);
        numbered = result.rowCount ?? 0;
      }
    }
  }

  async function positionOf(db: pg.Client): Promise<Position> {
    if (position) return position;
    const { rows } = await db.query<{ xid: string; topic: string; key: string; seq: string }>(
      `select numbered_xid::text as xid, topic, key, seq from event_relay_position where id = 1`,
    );
    const row = rows[0];
    position = row ? { xid: row.xid, topic: row.topic, key: row.key, seq: Number(row.seq) } : { xid: '0', topic: '', key: '', seq: 0 };
    return position;
  }
  async function moveTo(db: pg.Client, next: Position): Promise<void> {
    await db.query(
      `insert into event_relay_position (id, numbered_xid, topic, key, seq) values (1, $1::xid8, $2, $3, $4)
       on conflict (id) do update set numbered_xid = excluded.numbered_xid, topic = excluded.topic, key = excluded.key, seq = excluded.seq`,
      [next.xid, next.topic, next.key, next.seq],
    );
    position = next;
  }

  /** One round: publishes what of a batch past the position is unseen and old enough, then moves the position. */
  async function sweepBatch(db: pg.Client, grace: number): Promise<boolean> {
    const from = await positionOf(db);
    const { rows } = await db.query<Row>(
      `select topic, key, seq, numbered_xid::text as xid, (extract(epoch from created_at) * 1000)::bigint as at
         from events
        where ${SETTLED} and (numbered_xid, topic, key, seq) > ($1::xid8, $2, $3, $4)
        order by numbered_xid, topic, key, seq
        limit $5`,
      [from.xid, from.topic, from.key, from.seq, BATCH],
    );
    // In order, as far as writers are known to have published (seen on the broker) or the events are older
    // than the grace period; the walk stops at the first young one nobody was seen publishing.
    const ready: Row[] = [];
    const unsent: Row[] = [];
    const cutoff = Date.now() - grace;
    for (const row of rows) {
      if (!wasSeen(`${row.topic}\u0000${row.key}`, Number(row.seq))) {
        if (Number(row.at) > cutoff) break;
        unsent.push(row);
      }
      ready.push(row);
    }
    if (unsent.length > 0) {
      const { rows: payloads } = await db.query<{ topic: string; key: string; seq: string; payload: object; trace: string | null }>(
        `select e.topic, e.key, e.seq, e.payload, e.trace from events e
           join unnest($1::text[], $2::text[], $3::bigint[]) as u(topic, key, seq) on e.topic = u.topic and e.key = u.key and e.seq = u.seq
          order by e.numbered_xid, e.topic, e.key, e.seq`,
        [unsent.map((r) => r.topic), unsent.map((r) => r.key), unsent.map((r) => r.seq)],
      );
      // One connection carries them in order (a pruned event is simply gone: nothing to publish).
      await Promise.all(
        payloads.map((row) =>
          broker.publish(row.topic as keyof T & string, row.key, {
            seq: Number(row.seq),
            payload: row.payload as T[keyof T & string],
            trace: row.trace ?? undefined,
          }),
        ),
      );
    }
    const last = ready.at(-1);
    if (!last) return false;
    // What the position now covers need not be remembered: the database has it.
    const highest = new Map<string, number>();
    for (const row of ready) highest.set(`${row.topic}\u0000${row.key}`, Number(row.seq));
    for (const [id, seq] of highest) if ((seen.get(id)?.to ?? 0) <= seq) seen.delete(id);
    await moveTo(db, { xid: last.xid, topic: last.topic, key: last.key, seq: Number(last.seq) });
    return rows.length === BATCH && ready.length === rows.length;
  }

  /**
   * Without Redis the sequencer's NOTIFY is the publication: the position follows the newest settled event,
   * so a later switch to Redis does not send the whole history again.
   */
  async function followNotifications(db: pg.Client): Promise<void> {
    const { rows } = await db.query<{ xid: string; topic: string; key: string; seq: string }>(
      `with newest as (
         select numbered_xid, topic, key, seq from events where ${SETTLED}
          order by numbered_xid desc, topic desc, key desc, seq desc limit 1
       )
       update event_relay_position p set numbered_xid = n.numbered_xid, topic = n.topic, key = n.key, seq = n.seq
         from newest n
        where p.id = 1 and (n.numbered_xid, n.topic, n.key, n.seq) > (p.numbered_xid, p.topic, p.key, p.seq)
       returning p.numbered_xid::text as xid, p.topic, p.key, p.seq`,
    );
    const row = rows[0];
    if (row) position = { xid: row.xid, topic: row.topic, key: row.key, seq: Number(row.seq) };
  }

  function run(grace: number) {
    if (stopped || running || !leading || !client) return;
    const db = client;
    running = (async () => {
      await numberLeftovers(db, grace);
      if (!publishing) return followNotifications(db);
      while (!stopped && (await sweepBatch(db, grace))) {
        // Keep going: a backlog (after an outage) goes out a batch at a time.
      }
    })()
      .then(() => {
        failures = 0;
      })
      .catch((err: Error) => {
        failures += 1;
        // The broker or the database is away: no mark moved, so nothing is lost. The next sweep tries again.
        if (failures === 1 || failures % 30 === 0) log.warn({ err: err.message, failures }, 'relaying paused; retrying');
      })
      .finally(() => {
        running = null;
      });
  }

  const timer = setInterval(() => {
    if (stopped) return;
    const attempt = leading && client ? Promise.resolve() : tryToLead();
    attempt.then(
      () => run(graceMs),
      (err: Error) => {
        log.debug({ err: err.message }, 'relay not connected yet');
        client?.end().catch(() => {});
        client = null;
        void setLeading(false);
      },
    );
  }, pollMs);
  timer.unref();
  void tryToLead().catch(() => {});

  return {
    /** Whether this instance watches what the broker publishes: only while it leads. */
    watching: () => observing !== undefined,
    /** Publishes everything waiting now, however young (tests, shutdown). */
    async flush(): Promise<void> {
      while (running) await running;
      run(0);
      while (running) await running;
    },
    async stop(): Promise<void> {
      stopped = true;
      clearInterval(timer);
      while (running) await running;
      await setLeading(false);
      await client?.end().catch(() => {});
      client = null;
    },
  };
}

export type Relay = ReturnType<typeof startRelay>;
