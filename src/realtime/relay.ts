import pg from 'pg';
import type { Logger } from '../logger.ts';
import type { Broker } from './broker.ts';
import { EVENTS_CHANNEL, type TopicMap } from './outbox.ts';

export interface RelayOptions<T extends TopicMap> {
  databaseUrl: string;
  broker: Broker<T>;
  logger: Logger;
  /** How often to look for work nobody announced (and to try for the lead); default 1 s. */
  pollMs?: number;
}

/** Any instance may relay; one at a time holds this advisory lock and does. */
const LEAD_LOCK = 0x706c617a; // "plaz"
const BATCH = 1_000;

type Row = { topic: string; key: string; seq: string; payload: object };

/**
 * Moves recorded events from the outbox to the broker, in order per stream.
 * One instance of the cluster leads (a PostgreSQL advisory lock on its own
 * connection); the others wait to take over if it dies. Woken by NOTIFY at
 * each commit, and by a poll as a backstop. While the broker is away nothing
 * is marked published, and it retries until the broker is back: then the
 * backlog goes out in order. A publish may repeat after a crash; subscribers
 * drop what they have already seen (by sequence number).
 */
export function startRelay<T extends TopicMap>({ databaseUrl, broker, logger, pollMs = 1_000 }: RelayOptions<T>) {
  const log = logger.child({ module: 'relay' });
  let client: pg.Client | null = null;
  let leading = false;
  let stopped = false;
  let running: Promise<void> | null = null;
  let again = false;
  let failures = 0;

  async function connect() {
    const next = new pg.Client({ connectionString: databaseUrl, application_name: 'plaza-relay' });
    next.on('error', (err) => log.warn({ err: err.message }, 'relay connection failed'));
    next.on('end', () => {
      if (client === next) {
        client = null;
        leading = false;
      }
    });
    next.on('notification', () => wake());
    await next.connect();
    await next.query(`listen ${EVENTS_CHANNEL}`);
    client = next;
  }

  async function tryToLead() {
    if (!client) await connect();
    const { rows } = await client!.query<{ locked: boolean }>('select pg_try_advisory_lock($1) as locked', [LEAD_LOCK]);
    if (rows[0]?.locked && !leading) log.info('relaying events');
    leading = rows[0]?.locked === true;
  }

  /** Publishes one batch; true when there may be more. */
  async function relayBatch(db: pg.Client): Promise<boolean> {
    const { rows } = await db.query<Row>(
      `select s.topic, s.key, e.seq, e.payload
         from event_streams s
         cross join lateral (
           select seq, payload from events e
           where e.topic = s.topic and e.key = s.key and e.seq > s.published_seq and e.seq <= s.last_seq
           order by seq limit $1
         ) e
        where s.last_seq > s.published_seq
        order by s.topic, s.key, e.seq
        limit $1`,
      [BATCH],
    );
    if (rows.length === 0) {
      // Streams whose unpublished events were all pruned: nothing to send, move them on.
      await db.query('update event_streams set published_seq = last_seq where last_seq > published_seq and pruned_seq >= last_seq');
      return false;
    }
    const published = new Map<string, { topic: string; key: string; seq: number }>();
    await Promise.all(
      rows.map((row) => {
        const seq = Number(row.seq);
        published.set(`${row.topic}\u0000${row.key}`, { topic: row.topic, key: row.key, seq });
        return broker.publish(row.topic as keyof T & string, row.key, { seq, payload: row.payload as T[keyof T & string] });
      }),
    );
    const done = [...published.values()];
    await db.query(
      `update event_streams s set published_seq = greatest(s.published_seq, v.seq)
         from unnest($1::text[], $2::text[], $3::bigint[]) as v(topic, key, seq)
        where s.topic = v.topic and s.key = v.key`,
      [done.map((d) => d.topic), done.map((d) => d.key), done.map((d) => d.seq)],
    );
    return rows.length === BATCH;
  }

  async function drain() {
    do {
      again = false;
      if (!leading || !client) return;
      while (await relayBatch(client)) {
        if (stopped) return;
      }
    } while (again && !stopped);
  }

  function wake() {
    if (stopped) return;
    if (running) {
      again = true;
      return;
    }
    running = drain()
      .then(() => {
        failures = 0;
      })
      .catch((err: Error) => {
        failures += 1;
        // The broker or the database is away: nothing was marked published, so nothing is lost. Try again soon.
        if (failures === 1 || failures % 30 === 0) log.warn({ err: err.message, failures }, 'relaying paused; retrying');
        setTimeout(wake, Math.min(100 * 2 ** failures, 2_000)).unref();
      })
      .finally(() => {
        running = null;
      });
  }

  const timer = setInterval(() => {
    if (stopped) return;
    const attempt = leading && client ? Promise.resolve() : tryToLead();
    attempt.then(wake, (err: Error) => {
      log.debug({ err: err.message }, 'relay not connected yet');
      client?.end().catch(() => {});
      client = null;
      leading = false;
    });
  }, pollMs);
  timer.unref();
  void tryToLead().then(wake, () => {});

  return {
    /** True while this instance relays. */
    get leading() {
      return leading;
    },
    /** Publishes what is waiting now (tests, shutdown). */
    async flush(): Promise<void> {
      wake();
      while (running) await running;
    },
    async stop(): Promise<void> {
      stopped = true;
      clearInterval(timer);
      while (running) await running;
      await client?.end().catch(() => {});
      client = null;
      leading = false;
    },
  };
}

export type Relay = ReturnType<typeof startRelay>;
