import { type Logger, pino } from 'pino';

export type { Logger };

/** One structured logger per process; modules take `logger.child({ module })`. */
export function createLogger(level: string): Logger {
  return pino({ level, base: { service: 'plaza' } });
}
