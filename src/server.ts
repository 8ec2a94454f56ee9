import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { bearerToken } from './auth/tokens.ts';
import type { ViewerResolver } from './auth/viewer.ts';
import type { Config } from './config/index.ts';
import type { ContextDeps } from './create-context.ts';
import { schema } from './schema.ts';
import { rejectOversizedBody } from './http/guards/body-limit.ts';
import { clientIp } from './http/guards/client-ip.ts';
import { createConnectionRegistry } from './http/connections/registry.ts';
import { createEventStreams, isEventStream } from './http/sse/event-streams.ts';
import { countConnectionsOnScrape, isMetricsRequest, serveMetrics, timeRequest } from './http/metrics-endpoint.ts';
import { originAllowed } from './http/guards/origin.ts';
import { createPlainJsonHandler, isPlainJsonPost } from './http/plain-json.ts';
import { createAddressLimit } from './http/guards/address-limit.ts';
import { isEventPull, serveEventPull } from './http/event-pull.ts';
import { refuseRequest, refuseUpgrade } from './http/guards/refusals.ts';
import { followRevocations } from './http/connections/revocations.ts';
import { createUserConnectionLimiter } from './http/connections/per-user.ts';
import { createWebSocketLayer } from './http/ws/websocket.ts';
import { corsHeadersFor, createDocumentCaches, createPlazaYoga } from './http/yoga.ts';
import { createPersistedDocuments, memoryDocumentStore, type PersistedDocuments, readManifest, redisDocumentStore } from './graphql/persisted-documents.ts';
import type { Metrics } from './observability/metrics.ts';
import { withIncomingTrace } from './observability/trace-context.ts';
import type { Cluster, Redis } from 'ioredis';

export interface ServerDeps extends ContextDeps {
  config: Config;
  viewers: ViewerResolver;
  /** The process's Redis client: each user's connections are counted across the cluster with it; null in-process. */
  redis: Redis | Cluster | null;
  checkReadiness(): Promise<void>;
  metrics: Metrics;
  /** What `/metrics` answers; default this process's metrics (with PLAZA_PROCESSES, every process's: app.ts). */
  scrapeMetrics?: () => Promise<string>;
}

/** APQ's store (Redis when there is one) and the trusted manifest, as configured (with neither, a hash alone is told PersistedQueryNotSupported). */
function persistedDocumentsFor(config: Config, redis: Redis | Cluster | null): PersistedDocuments {
  const { apq, apqTtlSeconds, apqMaxDocumentBytes, manifestPath, only } = config.documents;
  return createPersistedDocuments({
    manifest: manifestPath ? readManifest(manifestPath) : null,
    only,
    apq,
    store: redis ? redisDocumentStore(redis, apqTtlSeconds) : memoryDocumentStore(config.limits.documentCacheBytes / 4, apqTtlSeconds),
    maxDocumentBytes: apqMaxDocumentBytes,
  });
}

/** HTTP (Yoga), SSE (Yoga) and graphql-ws on one port, path /graphql, under one request policy. */
export function createServer(deps: ServerDeps) {
  const { config, logger, viewers } = deps;
  const log = logger.child({ module: 'http' });
  const documentCaches = createDocumentCaches(config.limits.documentCacheBytes);
  const persistedDocuments = persistedDocumentsFor(config, deps.redis);
  const yoga = createPlazaYoga({ ...deps, schema, documentCaches, persistedDocuments });
  const registry = createConnectionRegistry({
    viewers,
    logger,
    maxConnections: config.limits.maxConnections,
    maxBufferedBytes: config.limits.maxBufferedBytesPerConnection,
    slowConsumerMs: config.limits.slowConsumerMs,
  });
  const userConnections = createUserConnectionLimiter({
    redis: deps.redis,
    max: config.limits.maxConnectionsPerUser,
    logger,
  });
  const plainJson = config.plainJsonFastPath
    ? createPlainJsonHandler(yoga, (origin) => corsHeadersFor(config.corsOrigins, origin), config.limits.maxResponseBytes, persistedDocuments)
    : null;
  const ws = createWebSocketLayer({ yoga, viewers, registry, userConnections, config, logger, persistedDocuments });
  const streams = createEventStreams({ registry, userConnections, logger });
  const addresses = createAddressLimit(config.rateLimits.mutations?.requestsPerIp);
  countConnectionsOnScrape(deps.metrics, registry);
  const scrapeMetrics = deps.scrapeMetrics ?? (() => deps.metrics.scrape());
  let stopping = false;
  let revocations: { stop(): Promise<void> } | undefined;

  async function handle(req: IncomingMessage, res: ServerResponse) {
    timeRequest(deps.metrics, req, res);
    if (stopping) res.setHeader('connection', 'close');
    if (isMetricsRequest(req)) {
      return serveMetrics(req, res, { metrics: deps.metrics, scrape: scrapeMetrics, token: config.metricsToken, isProduction: config.isProduction });
    }
    if (rejectOversizedBody(req, res, config.maxBodyBytes)) return;
    if (!originAllowed(req.headers.origin, config.corsOrigins)) {
      return refuseRequest(res, 403, 'FORBIDDEN', 'This origin may not call this server');
    }
    const ip = clientIp(req, config.trustProxyHops);
    // Health checks come from the load balancer, many times a second.
    if (req.url?.startsWith('/graphql') || isEventPull(req)) {
      const wait = await addresses.wait(ip);
      if (wait !== null) {
        return refuseRequest(res, 429, 'RATE_LIMITED', 'Too many requests from this address', { 'retry-after': String(wait) });
      }
    }
    const viewer = await viewers.fromToken(bearerToken(req.headers.authorization));
    if (isEventPull(req)) return serveEventPull(req, res, viewer?.id ?? null, deps.services.pullEvents);
    if (isEventStream(req)) {
      const ending = await streams.admit(res, viewer);
      if (!ending) return;
      // A reconnecting EventSource sends the id of the last event it got: the subscription resumes after it.
      const lastEventId = typeof req.headers['last-event-id'] === 'string' ? req.headers['last-event-id'] : null;
      return yoga(req, res, { viewer, ip, ending, lastEventId });
    }
    // A query or mutation continues the caller's trace when it sends one (traced only: OTEL_EXPORTER_OTLP_ENDPOINT).
    return withIncomingTrace(req.headers, () =>
      plainJson && isPlainJsonPost(req) ? plainJson(req, res, { viewer, ip }) : yoga(req, res, { viewer, ip }),
    );
  }

  const http = createHttpServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      log.error({ err }, 'request failed before GraphQL');
      if (!res.headersSent) refuseRequest(res, 503, 'SERVICE_UNAVAILABLE', 'Try again shortly');
      else res.destroy();
    });
  });
  http.on('upgrade', (req, socket, head) => {
    if (stopping) return socket.destroy();
    void addresses.wait(clientIp(req, config.trustProxyHops)).then((wait) => {
      if (wait === null) ws.handleUpgrade(req, socket, head);
      else refuseUpgrade(socket, 429, 'Too Many Requests');
    });
  });
  http.headersTimeout = 20_000;
  http.requestTimeout = 30_000;

  return {
    http,
    wss: ws.wss,
    registry,
    documentCaches,
    async start(): Promise<{ port: number; url: string }> {
      revocations = followRevocations(deps.services.sessions, registry, logger);
      await new Promise<void>((resolve, reject) => {
        http.once('error', reject);
        http.listen(config.port, config.host, () => {
          http.off('error', reject);
          resolve();
        });
      });
      const { port } = http.address() as AddressInfo;
      const host = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host;
      const url = `http://${host}:${port}/graphql`;
      logger.info({ url, graphiql: !config.isProduction }, 'plaza listening');
      return { port, url };
    },
    /** Stops accepting, sends WebSockets 1001, ends event streams and waits for in-flight requests. */
    async stop(): Promise<void> {
      if (stopping) return;
      stopping = true;
      const closed = new Promise<void>((resolve) => http.close(() => resolve()));
      // Keep-alive connections go as soon as they fall idle; busy ones finish their request first.
      const sweeper = setInterval(() => http.closeIdleConnections(), 50);
      http.closeIdleConnections();
      await ws.close();
      streams.endAll();
      await closed;
      clearInterval(sweeper);
      registry.stop();
      userConnections.stop();
      await revocations?.stop();
      await yoga.dispose();
      logger.info('http server stopped');
    },
  };
}

export type PlazaServer = ReturnType<typeof createServer>;
