import { type Logger, pino } from 'pino';
import { traceLogFields } from './observability/trace-context.ts';

export type { Logger };

/**
 * One structured logger per process; modules take `logger.child({ module })`. Each line names its process
 * (`pid`): with PLAZA_PROCESSES several write to the same output.
 */
export function createLogger(level: string, { traced = false }: { traced?: boolean } = {}): Logger {
  // Traced, a line written inside a span names it (`trace_id`, `span_id`): logs and traces join up.
  return pino({ level, base: { service: 'plaza', pid: process.pid }, ...(traced ? { mixin: traceLogFields } : {}) });
}
