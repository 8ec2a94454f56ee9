import { createRequire } from 'node:module';
import { context, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { IORedisInstrumentation } from '@opentelemetry/instrumentation-ioredis';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  BatchSpanProcessor,
  ParentBasedSampler,
  type Sampler,
  type SpanExporter,
  TraceIdRatioBasedSampler,
  TracerProvider,
} from '@opentelemetry/sdk-trace';
import { ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } from '@opentelemetry/semantic-conventions';
import type { TracingSettings } from '../config/index.ts';
import type { Logger } from 'pino';
import { operationSpans } from './operation-spans.ts';
import { enableTracing } from './trace-context.ts';

/**
 * The longest attribute value a span keeps (an operation's document, a statement's text): spans stay small
 * whatever a client sends, and what tracing costs a write stays near its spans' count.
 */
const ATTRIBUTE_VALUE_LIMIT = 1_024;

function samplerOf(settings: TracingSettings): Sampler {
  const ratio = new TraceIdRatioBasedSampler(settings.samplerRatio);
  switch (settings.sampler) {
    case 'always_on':
      return new AlwaysOnSampler();
    case 'always_off':
      return new AlwaysOffSampler();
    case 'traceidratio':
      return ratio;
    case 'parentbased_always_off':
      return new ParentBasedSampler({ root: new AlwaysOffSampler() });
    case 'parentbased_traceidratio':
      return new ParentBasedSampler({ root: ratio });
    default:
      return new ParentBasedSampler({ root: new AlwaysOnSampler() });
  }
}

async function exporterOf(settings: TracingSettings): Promise<SpanExporter> {
  // Headers, certificates, timeout and compression come from the standard OTEL_EXPORTER_OTLP_* variables,
  // read by the exporter itself.
  const { OTLPTraceExporter } =
    settings.protocol === 'http/json' ? await import('@opentelemetry/exporter-trace-otlp-http') : await import('@opentelemetry/exporter-trace-otlp-proto');
  return new OTLPTraceExporter({ url: settings.tracesUrl! });
}

/** A Redis command in a span: its name and key, never its values (an event's payload, a rate limit's subject). */
const redisStatement = (name: string, args: Array<string | Buffer | number | unknown[]>) =>
  args.length > 0 && (typeof args[0] === 'string' || typeof args[0] === 'number') ? `${name} ${String(args[0])}` : name;

export interface Tracing {
  /** Sends what is still buffered, then stops. */
  shutdown(): Promise<void>;
}

/**
 * Starts OpenTelemetry tracing in this process: the SDK (batching exporter over OTLP/HTTP, the configured
 * sampler, W3C trace context), the PostgreSQL and Redis instrumentations, and the GraphQL operations'
 * plugin. Called before the server's modules are loaded: `pg` and `ioredis` are loaded here, through
 * `require`, with the instrumentations' hook in place, so the copies the server then imports (CommonJS
 * packages, one copy per process) are the instrumented ones; no ESM loader hook is needed. Statements and
 * commands get spans only inside a traced piece of work (an operation, a job): pg-boss's polling and the
 * relay's sweeps make none.
 */
export async function startTracing(settings: TracingSettings, logger: Logger): Promise<Tracing> {
  const require = createRequire(import.meta.url);
  const serviceVersion = (require('../../package.json') as { version: string }).version;
  const exporter = await exporterOf(settings);
  const provider = new TracerProvider({
    resource: resourceFromAttributes({ [ATTR_SERVICE_NAME]: settings.serviceName, [ATTR_SERVICE_VERSION]: serviceVersion }),
    sampler: samplerOf(settings),
    spanLimits: { attributeValueLengthLimit: ATTRIBUTE_VALUE_LIMIT },
    spanProcessors: [
      new BatchSpanProcessor({
        exporter,
        scheduledDelayMillis: settings.scheduleDelayMs,
        maxQueueSize: settings.maxQueueSize,
        maxExportBatchSize: settings.maxExportBatchSize,
      }),
    ],
  });
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  trace.setGlobalTracerProvider(provider);
  const unregister = registerInstrumentations({
    tracerProvider: provider,
    instrumentations: [
      // A statement is a span; taking a pooled connection is not (a span per statement more, for microseconds).
      new PgInstrumentation({ requireParentSpan: true, ignoreConnectSpans: true }),
      new IORedisInstrumentation({ requireParentSpan: true, dbStatementSerializer: redisStatement }),
    ],
  });
  require('pg');
  require('ioredis');
  enableTracing({ tracer: provider.getTracer('plaza', serviceVersion), operationsPlugin: operationSpans(provider) });
  logger.info({ endpoint: settings.tracesUrl, protocol: settings.protocol, sampler: settings.sampler }, 'tracing on');
  return {
    async shutdown() {
      unregister();
      await provider.shutdown().catch((err: Error) => logger.warn({ err: err.message }, 'exporting the last spans failed'));
    },
  };
}
