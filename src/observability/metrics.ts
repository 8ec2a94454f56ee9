import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/** Operation names are the client's to choose: this many distinct ones get a label of their own, the rest `other`. */
const MAX_OPERATION_NAMES = 200;
const NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;

/**
 * Plaza's Prometheus metrics, one registry per instance (tests run several
 * in a process). Every label takes a bounded set of values: routes, root
 * fields, topics and queues are Plaza's own; operation names are capped.
 */
export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const known = new Set<string>();
  const collectors: Array<() => Promise<void>> = [];

  const metrics = {
    registry,
    httpDuration: new Histogram({
      name: 'plaza_http_request_duration_seconds',
      help: 'HTTP requests by method, route and status (SSE streams count when they end)',
      labelNames: ['method', 'route', 'status'] as const,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
    operationDuration: new Histogram({
      name: 'plaza_graphql_operation_duration_seconds',
      help: 'GraphQL queries and mutations by operation name and type, over every transport',
      labelNames: ['operation', 'type'] as const,
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    }),
    errors: new Counter({
      name: 'plaza_graphql_errors_total',
      help: 'GraphQL errors sent to clients, by code',
      labelNames: ['code'] as const,
      registers: [registry],
    }),
    connections: new Gauge({
      name: 'plaza_open_connections',
      help: 'Open WebSockets and SSE streams',
      labelNames: ['transport'] as const,
      registers: [registry],
    }),
    subscriptions: new Gauge({
      name: 'plaza_active_subscriptions',
      help: 'Subscriptions running on this instance, by topic (one per subscription field)',
      labelNames: ['topic'] as const,
      registers: [registry],
    }),
    eventsPublished: new Counter({
      name: 'plaza_events_published_total',
      help: 'Events numbered and published by this instance, by topic',
      labelNames: ['topic'] as const,
      registers: [registry],
    }),
    eventsDelivered: new Counter({
      name: 'plaza_events_delivered_total',
      help: 'Events handed to subscribers of this instance (one per subscriber), by topic',
      labelNames: ['topic'] as const,
      registers: [registry],
    }),
    linkJobs: new Counter({
      name: 'plaza_link_jobs_total',
      help: 'Links finished by this instance (first attempts and jobs), by outcome (READY, FAILED, BLOCKED)',
      labelNames: ['status'] as const,
      registers: [registry],
    }),
    linkFirstAttempts: new Counter({
      name: 'plaza_link_first_attempts_total',
      help: "Links of posts committed here, by what became of their first attempt: done here, host-busy or error (then queued), skipped (queued at once: no room, or the host's attempt under way here)",
      labelNames: ['outcome'] as const,
      registers: [registry],
    }),
    queueDepth: new Gauge({
      name: 'plaza_job_queue_jobs',
      help: "Jobs in each pg-boss queue by state (pg-boss's own counts, refreshed by its monitor)",
      labelNames: ['queue', 'state'] as const,
      // Every process reads the same queues: one reading, not their sum.
      aggregator: 'max',
      registers: [registry],
    }),
    dependencyUp: new Gauge({
      name: 'plaza_dependency_up',
      help: '1 when the dependency answers, 0 when not',
      labelNames: ['dependency'] as const,
      // Over several processes: up only when up in every one.
      aggregator: 'min',
      registers: [registry],
    }),

    /** The label for an operation name: itself while there are few, else `other`. */
    operationLabel(name: string | null | undefined): string {
      if (!name) return 'anonymous';
      if (known.has(name)) return name;
      if (!NAME.test(name) || known.size >= MAX_OPERATION_NAMES) return 'other';
      known.add(name);
      return name;
    },

    /** Runs before each scrape (queue depths, dependency health). */
    onCollect(collect: () => Promise<void>): void {
      collectors.push(collect);
    },

    /** The exposition text, after every onCollect has run. */
    async scrape(): Promise<string> {
      await collectAll();
      return registry.metrics();
    },

    /** The same as JSON, for the supervisor to sum over the processes (cluster-metrics.ts). */
    async collectJson(): Promise<object[]> {
      await collectAll();
      return registry.getMetricsAsJSON();
    },
  };
  /** Every scrape-time collector, a failing one left out of that scrape. */
  async function collectAll(): Promise<void> {
    await Promise.all(collectors.map((collect) => collect().catch(() => {})));
  }
  return metrics;
}

export type Metrics = ReturnType<typeof createMetrics>;
