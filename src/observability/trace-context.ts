import { type Attributes, context, propagation, ROOT_CONTEXT, type Span, SpanKind, SpanStatusCode, type Tracer, trace } from '@opentelemetry/api';

/**
 * The process's side of tracing that the rest of the code calls: spans of
 * its own work, and the trace context carried across hops (recorded with an
 * event in the outbox, with a link job). Only the OpenTelemetry API here;
 * the SDK is loaded by tracing.ts when tracing is on. Off, every function
 * returns at its first line: no span, no context read, nothing recorded.
 */
let tracer: Tracer | null = null;
/** The GraphQL operations' plugin (envelop's), made by tracing.ts. */
let operationsPlugin: object | null = null;

/** Called once by tracing.ts when it has started the SDK. */
export function enableTracing(on: { tracer: Tracer; operationsPlugin: object }): void {
  tracer = on.tracer;
  operationsPlugin = on.operationsPlugin;
}

export const tracingOn = (): boolean => tracer !== null;

/** The Yoga/envelop plugin that gives each GraphQL operation its span, or null when tracing is off. */
export const tracingPlugin = (): object | null => operationsPlugin;

/**
 * The active trace context as a W3C `traceparent`, to record with what carries the work on (an event, a
 * job); undefined when tracing is off or nothing is being traced. Unsampled traces are recorded too: the
 * next hop follows the decision (parent-based sampling).
 */
export function activeTraceparent(): string | undefined {
  if (tracer === null) return undefined;
  const span = trace.getActiveSpan();
  if (span === undefined || !span.spanContext().traceId) return undefined;
  const carrier: { traceparent?: string } = {};
  propagation.inject(context.active(), carrier);
  return carrier.traceparent;
}

export interface SpanOptions {
  /** A recorded `traceparent` (activeTraceparent) this span continues; else the active context's. */
  parent?: string | null;
  /** Other recorded traces this work also continues (a frame of several events): span links. */
  links?: readonly string[];
  kind?: SpanKind;
  attributes?: Attributes;
}

const contextOf = (traceparent: string) => propagation.extract(ROOT_CONTEXT, { traceparent });

/**
 * Runs `work` inside a span named `name` (its end when `work` settles, an error status when it throws or
 * rejects). Spans started within, ours or the instrumentations' (PostgreSQL, Redis, fetches), are its
 * children. With tracing off it is `work()`.
 */
export function inSpan<T>(name: string, options: SpanOptions, work: (span: Span | undefined) => T): T {
  if (tracer === null) return work(undefined);
  const parent = options.parent ? contextOf(options.parent) : context.active();
  const links = options.links?.flatMap((other) => {
    const linked = trace.getSpanContext(contextOf(other));
    return linked ? [{ context: linked }] : [];
  });
  return tracer.startActiveSpan(name, { kind: options.kind ?? SpanKind.INTERNAL, attributes: options.attributes, links }, parent, (span) => {
    const failed = (err: unknown) => {
      span.recordException(err instanceof Error ? err : String(err));
      span.setStatus({ code: SpanStatusCode.ERROR, message: err instanceof Error ? err.message : String(err) });
      span.end();
    };
    try {
      const result = work(span);
      if (result instanceof Promise) {
        return result.then(
          (value) => {
            span.end();
            return value;
          },
          (err: unknown) => {
            failed(err);
            throw err;
          },
        ) as T;
      }
      span.end();
      return result;
    } catch (err) {
      failed(err);
      throw err;
    }
  });
}

/**
 * Runs `work` as a continuation of the trace the request names in its W3C `traceparent` (and `tracestate`)
 * header, as an instrumented HTTP server does: a browser or a gateway tracing its own work sees Plaza's
 * operation as a child of its request. Whether it is recorded follows the caller's choice under the default
 * parent-based sampler (OTEL_TRACES_SAMPLER=traceidratio decides without it). Off, or without the header,
 * it is `work()`.
 */
export function withIncomingTrace<T>(headers: Record<string, string | string[] | undefined>, work: () => T): T {
  if (tracer === null || typeof headers.traceparent !== 'string') return work();
  const carrier: Record<string, string> = { traceparent: headers.traceparent };
  if (typeof headers.tracestate === 'string') carrier.tracestate = headers.tracestate;
  // A malformed header is ignored by the propagator: the operation then starts its own trace.
  return context.with(propagation.extract(ROOT_CONTEXT, carrier), work);
}

/** `trace_id`/`span_id` of the active span for a log line (pino's mixin, which adds the line's own fields to it), nothing outside one. */
export function traceLogFields(): Record<string, string> {
  const span = trace.getActiveSpan();
  if (span === undefined) return {};
  const { traceId, spanId } = span.spanContext();
  return { trace_id: traceId, span_id: spanId };
}

export { SpanKind };
