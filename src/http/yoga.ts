import { EnvelopArmorPlugin } from '@escape.tech/graphql-armor';
import { useCSRFPrevention } from '@graphql-yoga/plugin-csrf-prevention';
import { useDeferStream } from '@graphql-yoga/plugin-defer-stream';
import type { DocumentNode, GraphQLSchema } from 'graphql';
import { createYoga, type Plugin, useReadinessCheck } from 'graphql-yoga';
import { LRUCache } from 'lru-cache';
import type { Config } from '../config/index.ts';
import { type Caller, type ContextDeps, createContext } from '../create-context.ts';
import type { Context } from '../graphql/context.ts';
import { createMaskError, yogaLogger } from '../graphql/mask-errors.ts';
import { recentAnswer } from '../lib/recent.ts';
import { type Ending, useConnectionEnd } from '../graphql/plugins/connection-end.ts';
import { useNoIntrospection } from '../graphql/plugins/introspection.ts';
import { useOperationCost } from '../graphql/plugins/operation-cost.ts';
import { useResponseSizeLimit } from '../graphql/plugins/response-size.ts';
import { useOperationMetrics } from '../graphql/plugins/operation-metrics.ts';
import { usePersistedDocuments } from '../graphql/plugins/persisted-documents.ts';
import type { PersistedDocuments } from '../graphql/persisted-documents.ts';
import { useOperationTimeout } from '../graphql/plugins/operation-timeout.ts';
import type { Metrics } from '../observability/metrics.ts';
import { useSelectionLimit } from '../graphql/plugins/selection-limit.ts';
import { useSharedSubscriptionResults } from '../graphql/plugins/shared-results.ts';
import { useSseWithIds } from '../graphql/plugins/sse-ids.ts';
import { useTextInputPolicy } from '../graphql/plugins/text-input.ts';
import { tracingPlugin } from '../observability/trace-context.ts';
import { renderPlazaGraphiQL } from './graphiql/page.ts';
import { useGraphiQLAssets } from './graphiql/assets.ts';

/** What the HTTP, SSE or WebSocket layer hands Yoga: the caller it authenticated, and how to end its stream. */
export interface ServerContext extends Caller {
  ending?: Ending;
}

export type DocumentCaches = ReturnType<typeof createDocumentCaches>;

export interface YogaDeps extends ContextDeps {
  config: Config;
  schema: GraphQLSchema;
  documentCaches: DocumentCaches;
  /** Throws when a dependency (database, Redis) does not answer. */
  checkReadiness(): Promise<void>;
  metrics: Metrics;
  /** APQ and trusted documents (PERSISTED_DOCUMENTS); with neither, a hash alone is answered PersistedQueryNotSupported. */
  persistedDocuments: PersistedDocuments;
}

/** Limits on what a single operation may ask, applied before any resolver runs, over every transport. */
export const operationLimits = {
  maxDepth: 10,
  maxAliases: 15,
  maxDirectives: 10,
  maxTokens: 2_000,
  // Computed with the variables (graphql/cost.ts): a feed page of 20 posts with their links and previews costs about
  // 2,500, of 50 about 6,000; a section's posts for 100 sections at once several hundred thousand.
  maxCost: 15_000,
  /** Items one list argument may carry: `nodes(ids:)` resolves each. */
  maxListItems: 100,
  maxSelectionsPerSet: 50,
};

/** Headers a browser cannot send without a CORS preflight; any one of them proves a request is not a forged "simple" one. */
export const CSRF_HEADERS = ['authorization', 'x-graphql-yoga-csrf', 'graphql-preflight', 'apollo-require-preflight'];

/**
 * What Yoga's own parse hook reads of a request (its method), for the
 * transports that run operations through `yoga.getEnveloped` (graphql-ws,
 * plain JSON): with it, a syntax error is marked the client's
 * (GRAPHQL_PARSE_FAILED, HTTP 400) before the parser cache keeps it, so the
 * same broken document answers the same on every transport, whichever came first.
 */
export const requestStandIn = () => ({ method: 'POST' });

/** Yoga's CORS settings for CORS_ORIGINS (false: no browser origin may read). */
export function corsOptions(origins: Config['corsOrigins']) {
  // W3C trace context: a page traced by the OpenTelemetry web SDK sends it, and its operation continues that trace.
  const allowedHeaders = ['Authorization', 'Content-Type', 'Accept', 'traceparent', 'tracestate'];
  if (origins === '*') return { origin: '*', methods: ['GET', 'POST'], allowedHeaders };
  if (origins.length === 0) return false as const;
  return { origin: origins, credentials: true, methods: ['GET', 'POST'], allowedHeaders: [...allowedHeaders, ...CSRF_HEADERS] };
}

/**
 * The headers Yoga's CORS settings add to an answer for `origin`, one
 * already allowed (http/guards/origin.ts refuses the others before this): the
 * origin echoed, credentials allowed (Yoga allows them for `*` too, echoing
 * the origin, and only then says `Vary: Origin`), the methods and headers a
 * preflight would be told.
 */
export function corsHeadersFor(origins: Config['corsOrigins'], origin: string): Record<string, string> {
  const options = corsOptions(origins);
  if (!options) return {};
  return {
    'access-control-allow-origin': origin,
    ...(origins === '*' ? { vary: 'Origin' } : {}),
    'access-control-allow-methods': options.methods.join(', '),
    'access-control-allow-headers': options.allowedHeaders.join(', '),
    'access-control-allow-credentials': 'true',
  };
}

/** The request policy every transport shares: limits, masking, introspection, input hygiene, timeouts. */
function policyPlugins(config: Config): Plugin[] {
  const plugins: Plugin[] = [
    EnvelopArmorPlugin({
      maxDepth: { n: operationLimits.maxDepth },
      maxAliases: { n: operationLimits.maxAliases },
      maxDirectives: { n: operationLimits.maxDirectives },
      maxTokens: { n: operationLimits.maxTokens },
      // The cost is computed with the variables (useOperationCost): armor's own reads the document alone.
      costLimit: { enabled: false },
      // Suggestions help while developing and map the schema for an attacker in production.
      blockFieldSuggestion: { enabled: config.isProduction },
    }) as Plugin,
    // @defer and @stream: a query's slow parts (link previews) come after the rest, over multipart HTTP, SSE and
    // graphql-ws alike. The limits above read the whole document, deferred fragments included.
    useDeferStream(),
    useSelectionLimit(operationLimits.maxSelectionsPerSet),
    useOperationCost(operationLimits),
    useTextInputPolicy(),
    useOperationTimeout(config.limits.operationTimeoutMs),
    useConnectionEnd() as Plugin,
    // Fan-out: one execution per event for everyone asking the same question.
    useSharedSubscriptionResults({ maxBacklog: config.limits.maxQueuedEventsPerSubscription }),
  ];
  if (config.isProduction) plugins.push(useNoIntrospection());
  // Traced (OTEL_EXPORTER_OTLP_ENDPOINT): each operation's span, first, so everything it runs is inside it.
  const traced = tracingPlugin();
  if (traced) plugins.unshift(traced as Plugin);
  return plugins;
}

/**
 * Parsed documents and their errors, bounded by bytes rather than entries: a
 * stream of unique large documents must not grow the heap. A document's size
 * is estimated from its source (its AST takes roughly 40 times the text).
 */
export function createDocumentCaches(maxBytes: number) {
  const make = <T extends object>() =>
    new LRUCache<string, T>({ maxSize: Math.max(1, maxBytes), sizeCalculation: (_value, key) => 64 + key.length * 40 });
  return { documentCache: make<DocumentNode>(), errorCache: make<object>() };
}

export function createPlazaYoga(deps: YogaDeps) {
  const { config, logger } = deps;
  // Anyone may ask for /readiness, as often as they like: the database and Redis are asked once a second at most.
  const ready = recentAnswer(1_000, deps.checkReadiness);
  const plugins: Plugin[] = [
    usePersistedDocuments(deps.persistedDocuments),
    useOperationMetrics(deps.metrics),
    ...policyPlugins(config),
    useCSRFPrevention({ requestHeaders: CSRF_HEADERS }),
    useSseWithIds(),
    useResponseSizeLimit(config.limits.maxResponseBytes),
    useReadinessCheck({
      endpoint: '/readiness',
      check: async () => {
        try {
          await ready();
          return true;
        } catch (err) {
          logger.warn({ err }, 'readiness check failed');
          return false;
        }
      },
    }),
  ];
  if (!config.isProduction) plugins.unshift(useGraphiQLAssets());
  const origins = config.corsOrigins;

  return createYoga<ServerContext, Context>({
    schema: deps.schema,
    graphqlEndpoint: '/graphql',
    healthCheckEndpoint: '/health',
    landingPage: false,
    logging: yogaLogger(logger.child({ module: 'yoga' })),
    maskedErrors: { maskError: createMaskError({ isProduction: config.isProduction }) },
    parserAndValidationCache: deps.documentCaches,
    // Bodies over MAX_BODY_BYTES are refused before Yoga (http/guards/body-limit.ts: a POST must declare its length, and Node
    // reads no more than that); Yoga's own limit would pipe every body through a stream to count it again.
    maxRequestBodySize: false,
    // Origins outside the list are refused before Yoga (http/guards/origin.ts); these headers let the allowed ones read.
    cors: corsOptions(origins),
    graphiql: !config.isProduction,
    renderGraphiQL: renderPlazaGraphiQL,
    plugins,
    context: ({ viewer, ip, lastEventId, ending }) => ({
      ...createContext(deps, { viewer, ip, lastEventId }),
      ...(ending ? { ending } : {}),
    }),
  });
}

export type PlazaYoga = ReturnType<typeof createPlazaYoga>;
