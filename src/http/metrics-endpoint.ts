import type { IncomingMessage, ServerResponse } from 'node:http';
import { sameSecret } from '../lib/same-secret.ts';
import type { Metrics } from '../observability/metrics.ts';
import type { ConnectionRegistry } from './connections/registry.ts';

const ROUTES = ['/graphql', '/health', '/readiness', '/metrics', '/graphiql/assets/'];
const METHODS = new Set(['GET', 'POST', 'HEAD', 'OPTIONS']);

/** A bounded route label for a request path. */
function routeOf(url: string | undefined): string {
  const path = (url ?? '/').split('?')[0]!;
  return ROUTES.find((route) => (route.endsWith('/') ? path.startsWith(route) : path === route)) ?? 'other';
}

/** Counts the open connections by transport into their gauge at every scrape. */
export function countConnectionsOnScrape(metrics: Metrics, registry: ConnectionRegistry): void {
  metrics.onCollect(async () => {
    const open = { ws: 0, sse: 0 };
    for (const connection of registry.list()) open[connection.kind] += 1;
    metrics.connections.set({ transport: 'websocket' }, open.ws);
    metrics.connections.set({ transport: 'sse' }, open.sse);
  });
}

/** Times every HTTP request into the histogram when its response is done (an SSE stream when it ends). */
export function timeRequest(metrics: Metrics, req: IncomingMessage, res: ServerResponse): void {
  const end = metrics.httpDuration.startTimer();
  res.once('close', () =>
    end({ method: METHODS.has(req.method ?? '') ? req.method! : 'other', route: routeOf(req.url), status: String(res.statusCode) }),
  );
}

export const isMetricsRequest = (req: IncomingMessage) => routeOf(req.url) === '/metrics';

/**
 * `GET /metrics` in Prometheus text (`scrape`: this process's, or with
 * PLAZA_PROCESSES every process's summed). With a token set it asks for it
 * as a bearer token; in production without one there is no endpoint at all (404).
 */
export async function serveMetrics(
  req: IncomingMessage,
  res: ServerResponse,
  options: { metrics: Metrics; scrape: () => Promise<string>; token: string | undefined; isProduction: boolean },
): Promise<void> {
  const { metrics, scrape, token, isProduction } = options;
  if (!token && isProduction) {
    res.writeHead(404, { 'content-type': 'text/plain' }).end('Not Found');
    return;
  }
  if (token && !sameSecret(`Bearer ${token}`, req.headers.authorization)) {
    res.writeHead(401, { 'content-type': 'text/plain', 'www-authenticate': 'Bearer' }).end('Unauthorized');
    return;
  }
  if (req.method !== 'GET') {
    res.writeHead(405, { allow: 'GET', 'content-type': 'text/plain' }).end('Method Not Allowed');
    return;
  }
  const body = await scrape();
  res.writeHead(200, { 'content-type': metrics.registry.contentType, 'cache-control': 'no-store' }).end(body);
}
