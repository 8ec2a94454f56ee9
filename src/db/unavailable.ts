/**
 * PostgreSQL's codes for a server that is gone or not taking work: shutting
 * down (57P01-57P03), connection failures (08*), too many connections (53300),
 * and the driver's own for a connection refused, reset or timed out.
 */
const SERVER_CODES = new Set(['57P01', '57P02', '57P03', '53300', '08000', '08001', '08003', '08004', '08006']);
const SOCKET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);
const DRIVER_MESSAGES = [
  /^Connection terminated/,
  /timeout exceeded when trying to connect/,
  /^Client has encountered a connection error/,
  /^Connection refused/,
  // A database closed to connections for a while (ALTER DATABASE … allow_connections false, during maintenance).
  /is not currently accepting connections/,
];

/**
 * True when `err` (or what it wraps: drizzle keeps the driver's error as its
 * cause) says the database cannot be reached right now, rather than that a
 * statement was wrong: a restart, a failover, a network cut.
 */
export function isDatabaseUnavailable(err: unknown): boolean {
  let current: unknown = err;
  for (let depth = 0; depth < 5 && current; depth++) {
    const { code, message } = current as { code?: unknown; message?: unknown };
    if (typeof code === 'string' && (SERVER_CODES.has(code) || SOCKET_CODES.has(code))) return true;
    if (typeof message === 'string' && DRIVER_MESSAGES.some((pattern) => pattern.test(message))) return true;
    current = (current as { cause?: unknown; originalError?: unknown }).cause ?? (current as { originalError?: unknown }).originalError;
  }
  return false;
}
