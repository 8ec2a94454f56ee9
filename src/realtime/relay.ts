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

type Row = { topic: string; key: string; seq: string; payload: object; at: string };

/**
 * Makes sure every recorded event is numbered and reaches the broker. Writers
 * number and publish their own events right after COMMIT (outbox.ts); the
 * relay catches what they missed: a writer killed between COMMIT and
 * numbering or publishing, a publish lost while Redis was away. One instance of the cluster leads (a PostgreSQL advisory
 * lock on its own connection); the others stand by to take over if it dies.
 *
 * Once a second the leader looks at the streams whose events go past what is
 * known to be published (`event_relay`, a table of its own so the relay never
 * touches a writer's row), publishes in order whatever is older than the grace
 * period and past that mark, and moves the mark. The look is a scan of the
 * streams' rows (one per section, channel and user): cheap for hundreds of
 * thousands, not for hundreds of millions. Writers' own publishes are published a second
 * time at most once by this (subscribers drop what they have already seen);
 * in exchange the relay writes a stream's mark once a second, not once per
 * event, and never holds up a writer. While Redis is away nothing advances,
 * and the backlog goes out in order when it is back.
 */
export function startRelay<T extends TopicMap>({ databaseUrl, broker, logger, pollMs = 1_000, graceMs = 500, publishing }: RelayOptions<T>) {
  const log = logger.child({ module: 'relay' });
  let client: pg.Client | null = null;
  let leading = false;
  let stopped = false;
  let running: Promise<void> | null = null;
  let failures = 0;
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
  // Only the leader watches what is published (a pattern subscription receives every event of the cluster):
  // one watcher per cluster, not one per instance. A new leader has seen nothing yet, so what is past the
  // marks and older than the grace period goes out once more, as after a restart; subscribers drop repeats.
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

  /** One round: publishes a batch of what is past each stream's mark and old enough, then moves the marks. */
  async function sweepBatch(db: pg.Client, grace: number): Promise<boolean> {
    const { rows } = await db.query<Row>(
      `select s.topic, s.key, e.seq, e.payload, e.at
         from event_streams s
         left join event_relay r on r.topic = s.topic and r.key = s.key
         cross join lateral (
           select seq, payload, (extract(epoch from created_at) * 1000)::bigint as at from events e
           where e.topic = s.topic and e.key = s.key and e.seq > coalesce(r.published_seq, 0) and e.seq <= s.last_seq
           order by seq limit $1
         ) e
        where s.last_seq > coalesce(r.published_seq, 0)
        order by s.topic, s.key, e.seq
        limit $1`,
      [BATCH],
    );
    // Each stream goes as far as its writers are known to have published (seen on the broker), then on
    // through what is older than the grace period; it stops at the first young event (its writer is on it).
    const ready: Row[] = [];
    const unsent: Row[] = [];
    const held = new Set<string>();
    const cutoff = Date.now() - grace;
    for (const row of rows) {
      const id = `${row.topic}\u0000${row.key}`;
      if (held.has(id)) continue;
      if (wasSeen(id, Number(row.seq))) {
        ready.push(row);
        continue;
      }
      if (Number(row.at) > cutoff) {
        held.add(id);
        continue;
      }
      ready.push(row);
      unsent.push(row);
    }
    await Promise.all(
      unsent.map((row) =>
        broker.publish(row.topic as keyof T & string, row.key, { seq: Number(row.seq), payload: row.payload as T[keyof T & string] }),
      ),
    );
    const marks = new Map<string, { topic: string; key: string; seq: number }>();
    for (const row of ready) marks.set(`${row.topic}\u0000${row.key}`, { topic: row.topic, key: row.key, seq: Number(row.seq) });
    const done = [...marks.values()];
    // What the marks now cover need not be remembered: the database has it.
    for (const mark of done) {
      const id = `${mark.topic}\u0000${mark.key}`;
      if ((seen.get(id)?.to ?? 0) <= mark.seq) seen.delete(id);
    }
    if (done.length > 0) {
      await db.query(
        `insert into event_relay (topic, key, published_seq)
         select * from unnest($1::text[], $2::text[], $3::bigint[])
         on conflict (topic, key) do update set published_seq = greatest(event_relay.published_seq, excluded.published_seq)`,
        [done.map((d) => d.topic), done.map((d) => d.key), done.map((d) => d.seq)],
      );
    }
    return rows.length === BATCH && ready.length > 0;
  }

  function run(grace: number) {
    if (stopped || running || !leading || !client) return;
    const db = client;
    running = (async () => {
      await numberLeftovers(db, grace);
      if (!publishing) return;
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
