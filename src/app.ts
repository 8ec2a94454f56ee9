import cluster from 'node:cluster';
import type { Config } from './config/index.ts';
import type { Logger } from './logger.ts';
import { joinClusterMetrics } from './observability/cluster-metrics.ts';
import { startFollowers } from './start-followers.ts';
import { startWorkers } from './start-workers.ts';
import { createRuntime, type Runtime } from './runtime.ts';
import { createServer, type PlazaServer } from './server.ts';

export interface App {
  runtime: Runtime;
  server: PlazaServer;
  port: number;
  url: string;
  /** Tears down in a fixed order: server (no new requests), workers (jobs in hand), runtime (queue, pub/sub, pool, database). */
  stop(): Promise<void>;
}

/** Builds and starts a whole Plaza instance; tests start one on port 0 the same way main does. */
export async function startApp(config: Config, logger: Logger): Promise<App> {
  const runtime = await createRuntime(config, logger);
  // One of PLAZA_PROCESSES: /metrics answers for all of them, summed by the supervisor.
  const scrapeMetrics = cluster.isWorker ? joinClusterMetrics(runtime.metrics) : undefined;
  const server = createServer({ ...runtime, scrapeMetrics });
  let started: { port: number; url: string };
  let workers: { stop(): Promise<void> } | undefined;
  const followers = startFollowers(runtime);
  try {
    workers = config.runWorkers ? await startWorkers(runtime) : undefined;
    started = await server.start();
  } catch (err) {
    await followers.stop();
    await workers?.stop();
    await runtime.stop();
    throw err;
  }
  let stopping: Promise<void> | undefined;
  return {
    runtime,
    server,
    ...started,
    stop() {
      stopping ??= (async () => {
        await server.stop();
        await followers.stop();
        await workers?.stop();
        await runtime.stop();
      })();
      return stopping;
    },
  };
}
