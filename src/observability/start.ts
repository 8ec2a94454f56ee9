import type { TracingSettings } from '../config/index.ts';
import type { Logger } from '../logger.ts';
import { traceLogFields } from './trace-context.ts';

/** The logger's options for a process: traced (an endpoint set), each line carries the active span's ids. */
export const tracedLogging = (settings: TracingSettings): { fields?: () => Record<string, string> } =>
  settings.tracesUrl ? { fields: traceLogFields } : {};

/**
 * Starts tracing in this process when an endpoint is set, else nothing (the SDK is then never loaded). To be
 * called before the server's modules load: the instrumentations patch pg and ioredis as they are first loaded.
 */
export async function startTracingIfSet(settings: TracingSettings, logger: Logger): Promise<{ shutdown(): Promise<void> } | null> {
  return settings.tracesUrl ? (await import('./tracing.ts')).startTracing(settings, logger) : null;
}
