import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import pg from 'pg';
import { createLogger } from '../../src/logger.ts';
import { runMigrations } from '../../src/db/migrate.ts';
import { createRedisBroker } from '../../src/realtime/redis-broker.ts';
import { createRedisClient } from '../../src/realtime/redis-client.ts';
import { round } from '../lib/stats.ts';

export interface RelayCost {
  streams: number;
  activeStreams: number;
  eventsPerSecond: number;
  cpuMsPerSecond: number;
  statementsPerSecond: number;
  queryMsPerSecond: number;
  /** Events the relay published although their writer had (it should not see a reason to). */
  republished: number;
}

const relayProcess = fileURLToPath(new URL('../lib/relay-process.ts', import.meta.url));

/**
 * The relay's cost beside `streams` stream rows (each with one old event) of which `active` take `rate`
 * events a second from writers that number and publish them as Plaza's do: the relay alone in a process of
 * its own, its CPU, statements and their time per second over `seconds`.
 */
export async function runRelayCost(
  databaseUrl: string,
  redisUrl: string,
  options: { streams: number; active: number; rate: number; seconds: number },
): Promise<RelayCost> {
  const logger = createLogger('warn');
  await runMigrations(databaseUrl, logger);
  const db = new pg.Client({ connectionString: databaseUrl });
  await db.connect();
  // The writers' broker, as a Plaza process has it: it publishes each event and notes what it published.
  const redis = createRedisClient({ url: redisUrl }, logger, 'bench-writer');
  const broker = createRedisBroker<Record<string, object>>({ url: redisUrl }, redis, logger);
  await broker.whenReady();
  try {
    await db.query(`insert into event_streams (topic, key, last_seq) select 'bench:idle', g::text, 1 from generate_series(1, $1::int) g`, [options.streams]);
    await db.query(
      `insert into events (topic, key, seq, payload, numbered_xid, created_at)
       select 'bench:idle', g::text, 1, '{"n":1}', pg_current_xact_id(), now() - interval '1 hour' from generate_series(1, $1::int) g`,
      [options.streams],
    );
    await db.query('vacuum analyze event_streams');
    await db.query('vacuum analyze events');
    const child = spawn(process.execPath, ['--experimental-strip-types', relayProcess, databaseUrl, redisUrl, String(options.seconds)], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const lines = createInterface({ input: child.stdout! });
    const output: string[] = [];
    const ready = new Promise<void>((resolve, reject) => {
      child.once('exit', (code) => reject(new Error(`the relay process exited with ${code}`)));
      lines.on('line', (line) => (line === 'ready' ? resolve() : output.push(line)));
    });
    await ready;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    // Writers as Plaza's: record, number (without NOTIFY), publish through the broker.
    let written = 0;
    const interval = 1000 / options.rate;
    const started = performance.now();
    const until = started + options.seconds * 1000;
    while (performance.now() < until) {
      const key = String(written % options.active);
      await db.query(`insert into events (topic, key, payload) values ('bench:active', $1, '{"n":1}')`, [key]);
      const { rows } = await db.query<{ seq: string; payload: unknown }>(`select seq, payload from plaza_number_events('bench:active', $1, false)`, [key]);
      for (const row of rows) await broker.publish('bench:active', key, { seq: Number(row.seq), payload: row.payload as object });
      written += 1;
      const wait = started + written * interval - performance.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    }
    await exited;
    const result = JSON.parse(output.at(-1)!) as Omit<RelayCost, 'streams' | 'activeStreams' | 'eventsPerSecond'>;
    return {
      streams: options.streams,
      activeStreams: options.active,
      eventsPerSecond: round(written / ((performance.now() - started) / 1000)),
      cpuMsPerSecond: round(result.cpuMsPerSecond),
      statementsPerSecond: round(result.statementsPerSecond),
      queryMsPerSecond: round(result.queryMsPerSecond),
      republished: result.republished,
    };
  } finally {
    await broker.close();
    await redis.quit();
    await db.end();
  }
}
