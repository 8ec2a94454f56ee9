import { PRUNE_EVENTS_QUEUE, startEventPruner } from './jobs/prune-events.ts';
import { allModules } from './modules/index.ts';
import type { Runtime } from './runtime.ts';

/**
 * Starts this process's background workers: every module's (the link
 * pipeline, expired-story cleanup), and the pruning of old events. pg-boss
 * drains them on stop, each module's within the 10 s shutdown deadline.
 */
export async function startWorkers(runtime: Runtime): Promise<{ stop(): Promise<void> }> {
  const { config, logger, boss, services } = runtime;
  const deps = { ...runtime, db: runtime.database.db, services };
  const started: Array<{ stop(): Promise<void> }> = [];
  for (const module of allModules) if (module.workers) started.push(await module.workers(deps));
  await startEventPruner(boss, runtime.outbox, config.eventRetentionHours, logger.child({ module: 'outbox' }));
  return {
    async stop() {
      await Promise.all([...started.reverse().map((workers) => workers.stop()), boss.offWork(PRUNE_EVENTS_QUEUE, { wait: true })]);
      logger.info('workers stopped');
    },
  };
}
