import { allModules } from './modules/index.ts';
import { ERASURES } from './realtime/outbox.ts';
import { follow } from './realtime/follow.ts';
import type { Runtime } from './runtime.ts';

/**
 * What an instance that serves clients follows for as long as it serves:
 * erasures (its replay pages of erased streams go) and each module's own
 * cluster-wide streams (`serving`: who lost access to a section).
 */
export function startFollowers(runtime: Runtime): { stop(): Promise<void> } {
  const { streams, logger } = runtime;
  const running = [
    follow('erasures', (after) => streams.watch(ERASURES.topic, ERASURES.key, after), (p) => streams.erased(p.key), logger),
    ...allModules.flatMap((module) => module.serving?.({ ...runtime, db: runtime.database.db }) ?? []),
  ];
  return {
    async stop() {
      await Promise.all(running.map((each) => each.stop()));
    },
  };
}
