import cluster, { type Worker } from 'node:cluster';
import type { Config } from './config/index.ts';
import type { EmbeddedDatabase } from './db/embedded.ts';
import type { Logger } from './logger.ts';
import { serveClusterMetrics } from './observability/cluster-metrics.ts';

/** How long the processes have to drain on SIGTERM before they are killed (each gives itself 10 s). */
const DRAIN_DEADLINE_MS = 15_000;
/** A process dying again within this of its start counts towards a longer wait before the next. */
const CRASH_WINDOW_MS = 10_000;

/**
 * PLAZA_PROCESSES > 1: this process serves nothing itself; it forks that
 * many processes of `main` (Node's cluster module), which share the port
 * (the primary hands each accepted connection to one of them in turn), the
 * database and Redis. It starts the embedded database when there is no
 * DATABASE_URL and hands them its address; migrations and a generated JWT
 * secret they settle among themselves (an advisory lock, an exclusive
 * create), so this process loads none of the server's code and holds little
 * memory. A process that dies is replaced (after
 * a wait that grows while they keep dying); on SIGTERM or SIGINT every one
 * is asked to drain, and the supervisor exits once they all have.
 */
export async function superviseProcesses(config: Config, logger: Logger): Promise<void> {
  const log = logger.child({ module: 'supervisor' });
  let embedded: EmbeddedDatabase | undefined;
  let databaseUrl = config.databaseUrl;
  if (!databaseUrl) {
    const { startEmbeddedPostgres } = await import('./db/embedded.ts');
    embedded = await startEmbeddedPostgres(config.dataDir, logger, { rootDir: config.embeddedPostgresRootDir });
    databaseUrl = embedded.url;
  }
  const env = { DATABASE_URL: databaseUrl, PLAZA_PROCESSES: '1' };

  let stopping = false;
  let recentCrashes = 0;
  const listening = new Set<number>();
  const started = new Map<number, number>();
  const fork = (): Worker => {
    const worker = cluster.fork(env);
    started.set(worker.id, Date.now());
    log.info({ process: worker.id, processPid: worker.process.pid }, 'process started');
    return worker;
  };

  cluster.on('listening', (worker, address) => {
    listening.add(worker.id);
    if (listening.size === config.processes) {
      const host = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host;
      log.info({ url: `http://${host}:${address.port}/graphql`, processes: config.processes }, 'plaza listening on every process');
    }
  });
  cluster.on('exit', (worker, code, signal) => {
    listening.delete(worker.id);
    const lived = Date.now() - (started.get(worker.id) ?? 0);
    started.delete(worker.id);
    if (stopping) return void log.info({ process: worker.id, processPid: worker.process.pid, code, signal }, 'process stopped');
    recentCrashes = lived < CRASH_WINDOW_MS ? recentCrashes + 1 : 0;
    const wait = recentCrashes === 0 ? 0 : Math.min(100 * 2 ** recentCrashes, 5_000);
    log.error({ process: worker.id, processPid: worker.process.pid, code, signal, restartInMs: wait }, 'process died; replacing it');
    setTimeout(() => {
      if (!stopping) fork();
    }, wait).unref();
  });

  serveClusterMetrics();
  for (let i = 0; i < config.processes; i++) fork();

  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal, processes: Object.keys(cluster.workers ?? {}).length }, 'draining every process');
    const workers = Object.values(cluster.workers ?? {}).filter((w): w is Worker => w !== undefined);
    const exits = workers.map(
      (worker) =>
        new Promise<boolean>((resolve) => {
          if (worker.isDead()) return resolve(true);
          worker.once('exit', (code) => resolve(code === 0));
          worker.process.kill('SIGTERM');
        }),
    );
    const killer = setTimeout(() => {
      log.error('processes still draining at the deadline; killing them');
      for (const worker of workers) if (!worker.isDead()) worker.process.kill('SIGKILL');
    }, DRAIN_DEADLINE_MS);
    const clean = (await Promise.all(exits)).every(Boolean);
    clearTimeout(killer);
    if (embedded) {
      await embedded.stop();
      log.info('embedded PostgreSQL stopped');
    }
    log.info({ clean }, 'every process stopped');
    process.exit(clean ? 0 : 1);
  };
  process.once('SIGTERM', () => void stop('SIGTERM'));
  process.once('SIGINT', () => void stop('SIGINT'));
}
