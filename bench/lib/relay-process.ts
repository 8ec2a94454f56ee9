/**
 * The relay alone, in a process of its own (BENCH_ONLY=relay): it leads at once on its database, runs for the
 * seconds given, and prints what it cost as JSON: CPU, statements and the time they took, what it published.
 * Usage: relay-process.ts <databaseUrl> <redisUrl> <seconds>
 */
import pg from 'pg';
import { createLogger } from '../../src/logger.ts';
import { createRedisBroker } from '../../src/realtime/redis-broker.ts';
import { createRedisClient } from '../../src/realtime/redis-client.ts';
import { startRelay } from '../../src/realtime/relay.ts';

const [databaseUrl, redisUrl, secondsText] = process.argv.slice(2);
const seconds = Number(secondsText);
let statements = 0;
let queryMs = 0;
// Every statement of the relay goes through pg.Client#query: counted and timed where it is sent.
const query = pg.Client.prototype.query as (...args: unknown[]) => unknown;
pg.Client.prototype.query = function counted(this: pg.Client, ...args: unknown[]) {
  const result = query.apply(this, args);
  if (result instanceof Promise) {
    statements += 1;
    const started = performance.now();
    void result.then(
      () => (queryMs += performance.now() - started),
      () => {},
    );
  }
  return result;
} as typeof pg.Client.prototype.query;

const logger = createLogger('warn');
const publisher = createRedisClient({ url: redisUrl! }, logger, 'bench-relay');
const broker = createRedisBroker<Record<string, object>>({ url: redisUrl! }, publisher, logger);
let published = 0;
const publish = broker.publish.bind(broker);
broker.publish = async (topic, key, event) => {
  published += 1;
  await publish(topic, key, event);
};
await broker.whenReady();
const relay = startRelay({ databaseUrl: databaseUrl!, broker, logger, publishing: true });
// Its first round (leading, the position read, a first walk) is not what a steady second costs.
for (const deadline = Date.now() + 10_000; !relay.watching() && Date.now() < deadline; ) await new Promise((r) => setTimeout(r, 20));
await relay.flush();
process.stdout.write('ready\n');
const cpu = process.cpuUsage();
statements = 0;
queryMs = 0;
published = 0;
const started = performance.now();
await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
const used = process.cpuUsage(cpu);
const elapsed = (performance.now() - started) / 1000;
process.stdout.write(
  `${JSON.stringify({
    seconds: elapsed,
    cpuMsPerSecond: (used.user + used.system) / 1000 / elapsed,
    statementsPerSecond: statements / elapsed,
    queryMsPerSecond: queryMs / elapsed,
    republished: published,
  })}\n`,
);
await relay.stop();
await broker.close();
await publisher.quit();
