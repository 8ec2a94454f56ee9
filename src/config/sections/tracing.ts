import { z } from 'zod';
import { bool, int, optionalUrl, section } from '../section.ts';

const SAMPLERS = ['always_on', 'always_off', 'traceidratio', 'parentbased_always_on', 'parentbased_always_off', 'parentbased_traceidratio'] as const;
export type SamplerName = (typeof SAMPLERS)[number];

/** The OTLP path of traces under a base endpoint (the OpenTelemetry exporter specification). */
const TRACES_PATH = 'v1/traces';

/**
 * OpenTelemetry tracing, by the standard variables of the OpenTelemetry SDKs: on when an OTLP endpoint is
 * set, off (nothing loaded, nothing recorded) otherwise. The exporter's transport settings (headers,
 * certificates, timeout, compression: `OTEL_EXPORTER_OTLP_*`) are read by the exporter itself.
 */
export const tracing = section(
  {
    OTEL_SDK_DISABLED: bool.default(false).describe('Tracing off even with an endpoint set'),
    OTEL_EXPORTER_OTLP_ENDPOINT: optionalUrl(['http:', 'https:']).describe('Where spans go over OTLP/HTTP (`/v1/traces` is added); tracing is off without it (or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT)'),
    OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: optionalUrl(['http:', 'https:']).describe('The full URL spans are posted to, when not `<OTEL_EXPORTER_OTLP_ENDPOINT>/v1/traces`'),
    OTEL_EXPORTER_OTLP_PROTOCOL: z.enum(['http/protobuf', 'http/json']).default('http/protobuf').describe('OTLP encoding: `http/protobuf` or `http/json` (gRPC is not offered)'),
    OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: z.enum(['http/protobuf', 'http/json']).optional().describe('The encoding for traces, when not OTEL_EXPORTER_OTLP_PROTOCOL'),
    OTEL_SERVICE_NAME: z.string().trim().min(1).default('plaza').describe("The service name spans carry (`service.name`)"),
    OTEL_TRACES_SAMPLER: z.enum(SAMPLERS).default('parentbased_always_on').describe('Which traces are recorded: `parentbased_always_on` (every one; a caller\'s sampled flag is followed), `parentbased_traceidratio`, `traceidratio`, `always_on`, `always_off`, `parentbased_always_off`'),
    OTEL_TRACES_SAMPLER_ARG: z.coerce.number().min(0).max(1).default(1).describe('The ratio of traces kept by the `…traceidratio` samplers'),
    OTEL_BSP_SCHEDULE_DELAY: int(0).default(5_000).describe('Milliseconds between two exports of finished spans'),
    OTEL_BSP_MAX_QUEUE_SIZE: int(1).default(2_048).describe('Finished spans held for export at most; past it new ones are dropped (never memory without bound)'),
    OTEL_BSP_MAX_EXPORT_BATCH_SIZE: int(1).default(512).describe('Spans per export request at most'),
  },
  {
    derive: (v) => {
      const endpoint = v.otelExporterOtlpTracesEndpoint ?? (v.otelExporterOtlpEndpoint ? `${v.otelExporterOtlpEndpoint.replace(/\/?$/, '/')}${TRACES_PATH}` : undefined);
      return {
        tracing: {
          /** The URL spans are posted to; null: tracing is off. */
          tracesUrl: v.otelSdkDisabled || !endpoint ? null : endpoint,
          protocol: v.otelExporterOtlpTracesProtocol ?? v.otelExporterOtlpProtocol,
          serviceName: v.otelServiceName,
          sampler: v.otelTracesSampler as SamplerName,
          samplerRatio: v.otelTracesSamplerArg,
          scheduleDelayMs: v.otelBspScheduleDelay,
          maxQueueSize: v.otelBspMaxQueueSize,
          maxExportBatchSize: Math.min(v.otelBspMaxExportBatchSize, v.otelBspMaxQueueSize),
        },
      };
    },
  },
);

export type TracingSettings = ReturnType<typeof tracing.read>['tracing'];
