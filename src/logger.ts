import { type Logger, pino } from 'pino';

export type { Logger };

/**
 * One structured logger per process; modules take `logger.child({ module })`. Each line names its process
 * (`pid`): with PLAZA_PROCESSES several write to the same output.
 */
export function createLogger(level: string, { fields }: { fields?: () => Record<string, string> } = {}): Logger {
  // `fields`: added to every line (traced, the active span's `trace_id` and `span_id`: logs and traces join up).
  return pino({ level, base: { service: 'plaza', pid: process.pid }, ...(fields ? { mixin: fields } : {}) });
}
