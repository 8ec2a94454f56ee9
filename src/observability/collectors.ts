import type { PgBoss } from 'pg-boss';
import type { Metrics } from './metrics.ts';

export interface CollectorSources {
  /** What readiness checks, by dependency name: each resolves while it answers. */
  dependencies: Record<string, () => Promise<unknown>>;
  /** Subscribers listening now, per topic. */
  subscriberCounts(): Map<string, number>;
  boss: PgBoss;
  /** The queues whose depth is reported. */
  queues: readonly string[];
}

/** What is read only when /metrics is scraped: dependencies up, subscriptions by topic, queue depths. */
export function collectOnScrape(metrics: Metrics, { dependencies, subscriberCounts, boss, queues }: CollectorSources): void {
  metrics.onCollect(async () => {
    await Promise.all(
      Object.entries(dependencies).map(async ([dependency, check]) =>
        metrics.dependencyUp.set({ dependency }, await check().then(() => 1, () => 0)),
      ),
    );
  });
  metrics.onCollect(async () => {
    metrics.subscriptions.reset();
    for (const [topic, count] of subscriberCounts()) metrics.subscriptions.set({ topic }, count);
  });
  metrics.onCollect(async () => {
    for (const queue of queues) {
      const found = await boss.getQueue(queue);
      if (!found) continue;
      metrics.queueDepth.set({ queue, state: 'queued' }, found.queuedCount);
      metrics.queueDepth.set({ queue, state: 'active' }, found.activeCount);
      metrics.queueDepth.set({ queue, state: 'deferred' }, found.deferredCount);
    }
  });
}
