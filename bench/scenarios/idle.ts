import { fileURLToPath } from 'node:url';
import { type Started, startBaseline, startPlaza, startProcess } from '../lib/processes.ts';

export interface IdleStep {
  step: string;
  /** Resident memory after a full GC, idle, in MB. */
  rssMB: number;
  /** What this step adds to the one before it. */
  addedMB: number;
}

const step = fileURLToPath(new URL('../lib/idle-step.ts', import.meta.url));
const mb = (bytes: number) => Math.round((bytes / 2 ** 20) * 10) / 10;

/**
 * Where an idle Plaza's resident memory goes, step by step, each step a fresh
 * process read after a full GC: Node itself, the libraries loaded, Plaza's
 * code and schema, the process started without workers (pools, caches,
 * connections), with its workers (the job queue and the extraction threads),
 * and the hand-written baseline for scale.
 */
export async function runIdleFootprint(env: Record<string, string>): Promise<IdleStep[]> {
  const ready = (line: Record<string, unknown>) => (line.msg === 'ready' ? 0 : null);
  const steps: Array<[string, () => Promise<Started>]> = [
    ['Node.js, nothing loaded', () => startProcess([step, 'bare'], {}, ready)],
    ['+ the libraries (graphql, yoga, ws, pothos, drizzle, pg, pg-boss, ioredis, undici, …: what the main thread loads)', () => startProcess([step, 'libraries'], {}, ready)],
    ["+ Plaza's code and its schema", () => startProcess([step, 'code'], {}, ready)],
    ['+ started without workers (pools, Redis, relay, caches, listening)', () => startPlaza({ ...env, RUN_WORKERS: 'false' })],
    ['+ its workers, pages parsed on the main thread (LINK_EXTRACT_THREADS=0)', () => startPlaza({ ...env, LINK_EXTRACT_THREADS: '0' })],
    ['+ the extraction thread(s) of the default (the cores less one)', () => startPlaza(env)],
  ];
  const results: IdleStep[] = [];
  let previous = 0;
  for (const [name, start] of steps) {
    const started = await start();
    // Twice: the first collection after start-up leaves what finalisers free for the second.
    await started.settledRss();
    const rss = await started.settledRss();
    await started.stop();
    results.push({ step: name, rssMB: mb(rss), addedMB: mb(rss - previous) });
    previous = rss;
  }
  const baseline = await startBaseline();
  await baseline.settledRss();
  const base = await baseline.settledRss();
  await baseline.stop();
  results.push({ step: 'the hand-written baseline (ws broadcast), for scale', rssMB: mb(base), addedMB: 0 });
  return results;
}
