import cluster, { type Worker } from 'node:cluster';
import { randomUUID } from 'node:crypto';
import { AggregatorRegistry } from 'prom-client';
import type { Metrics } from './metrics.ts';

/**
 * `/metrics` for PLAZA_PROCESSES: whichever process a scrape reaches asks
 * the supervisor, which gathers every process's metrics (after their
 * scrape-time collectors have run) and sums them the way each metric says
 * (prom-client's aggregation: counters and histograms summed, a
 * dependency up only when up everywhere). A process that does not answer
 * within the wait is left out of that scrape.
 */
const REQUEST = 'plaza:metrics-request';
const COLLECT = 'plaza:metrics-collect';
const PART = 'plaza:metrics-part';
const RESULT = 'plaza:metrics-result';
const WAIT_MS = 3_000;

/** One process's metrics as prom-client's `getMetricsAsJSON` gives them. */
type Part = object[];

type Message =
  | { type: typeof REQUEST; id: string }
  | { type: typeof COLLECT; id: string }
  | { type: typeof PART; id: string; metrics: Part }
  | { type: typeof RESULT; id: string; text: string | null };

/** In a serving process: answers the supervisor's collections; returns the way to scrape the whole instance. */
export function joinClusterMetrics(metrics: Metrics): () => Promise<string> {
  const pending = new Map<string, (text: string | null) => void>();
  process.on('message', (message: Message) => {
    if (message?.type === COLLECT) {
      void metrics.collectJson().then((json) => process.send?.({ type: PART, id: message.id, metrics: json } satisfies Message));
    } else if (message?.type === RESULT) {
      pending.get(message.id)?.(message.text);
    }
  });
  return async () => {
    const id = randomUUID();
    const text = await new Promise<string | null>((resolve) => {
      const timer = setTimeout(() => resolve(null), WAIT_MS * 2);
      pending.set(id, (result) => {
        clearTimeout(timer);
        resolve(result);
      });
      process.send?.({ type: REQUEST, id } satisfies Message);
    });
    pending.delete(id);
    // The supervisor did not answer: this process's own, rather than nothing.
    return text ?? metrics.scrape();
  };
}

/** In the supervisor: gathers every process's metrics when one of them is scraped. */
export function serveClusterMetrics(): void {
  const gathering = new Map<string, { parts: Part[]; expected: number; done: () => void }>();
  cluster.on('message', (worker: Worker, message: Message) => {
    if (message?.type === PART) {
      const gather = gathering.get(message.id);
      if (!gather) return;
      gather.parts.push(message.metrics);
      if (gather.parts.length === gather.expected) gather.done();
      return;
    }
    if (message?.type !== REQUEST) return;
    const workers = Object.values(cluster.workers ?? {}).filter((w): w is Worker => w !== undefined && w.isConnected());
    const parts: Part[] = [];
    void new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, WAIT_MS);
      gathering.set(message.id, {
        parts,
        expected: workers.length,
        done: () => {
          clearTimeout(timer);
          resolve();
        },
      });
      for (const w of workers) w.send({ type: COLLECT, id: message.id } satisfies Message);
    }).then(async () => {
      gathering.delete(message.id);
      const text = parts.length > 0 ? await AggregatorRegistry.aggregate(parts).metrics() : null;
      if (worker.isConnected()) worker.send({ type: RESULT, id: message.id, text } satisfies Message);
    });
  });
}
