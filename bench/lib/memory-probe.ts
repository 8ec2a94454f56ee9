/**
 * Where a server's memory goes under 5,000 highlight subscribers (a probe, run by hand):
 * `BENCH_HEAP_SPACES=1 node --experimental-strip-types bench/lib/memory-probe.ts plaza|plaza2|baseline` (plaza2: PLAZA_PROCESSES=2): V8's heap
 * spaces and external memory (the SIGUSR2 line of gc-on-signal.ts) idle, under load, and after a full GC.
 */
import { startBaseline, startPlaza, startPlazaProcesses, type Started } from './processes.ts';
import { runScaleSetup } from '../scenarios/scale.ts';

const which = process.argv[2] ?? 'plaza';
const env = {
  DATABASE_URL: process.env.BENCH_DATABASE_URL ?? 'postgres://root@127.0.0.1:5432/test',
  REDIS_URL: 'redis://127.0.0.1:6379',
  JWT_SECRET: 'benchmark-secret-benchmark-secret-0123456789',
  MAX_CONNECTIONS: '0',
  MAX_CONNECTIONS_PER_USER: '0',
  MAX_SUBSCRIPTIONS_PER_CONNECTION: '0',
  RATE_LIMIT_MULTIPLIER: '0',
  CHANNEL_HIGHLIGHT_LIMIT: '100000000',
  ...(process.env.PROBE_NODE_OPTIONS ? { NODE_OPTIONS: process.env.PROBE_NODE_OPTIONS } : {}),
};
let server: Started | undefined;
const points = await runScaleSetup(
  {
    name: which,
    raw: which === 'baseline',
    maxSubscribers: 100_000,
    start: async () => {
      server = which === 'baseline' ? await startBaseline() : which === 'plaza2' ? await startPlazaProcesses(env, 2) : await startPlaza(env);
      return [server];
    },
  },
  [Number(process.env.PROBE_SUBSCRIBERS ?? 5000)],
  20,
  2,
);
process.stdout.write(`${JSON.stringify(points)}\n`);
