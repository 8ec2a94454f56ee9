/** The codes clients may see in `extensions.code`; anything else is masked. */
export type ErrorCode =
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'BAD_USER_INPUT'
  | 'RATE_LIMITED'
  | 'TOO_MANY_SUBSCRIPTIONS'
  | 'TOO_MANY_CONNECTIONS'
  | 'SLOW_CONSUMER'
  | 'CURSOR_EXPIRED'
  | 'SOLD_OUT'
  | 'CLAIM_LIMIT_REACHED'
  | 'TIMEOUT'
  | 'SERVICE_UNAVAILABLE';

/**
 * An expected failure raised by a service. It knows nothing of GraphQL: the
 * server turns it into a GraphQL error with `extensions.code`.
 */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly extensions: Record<string, unknown>;
  constructor(code: ErrorCode, message: string, extensions: Record<string, unknown> = {}) {
    super(message);
    this.name = 'AppError';
    this.code = code;
    // graphql-js copies an original error's `extensions` onto the located error: the code travels with it.
    this.extensions = { code, ...extensions };
  }
}

export const unauthenticated = (message = 'You must be signed in') => new AppError('UNAUTHENTICATED', message);
export const forbidden = (message = 'You may not do this') => new AppError('FORBIDDEN', message);
export const notFound = (what: string) => new AppError('NOT_FOUND', `${what} not found`);
export const badInput = (message: string, field?: string) =>
  new AppError('BAD_USER_INPUT', message, field ? { field } : {});
/** A dependency (the database) cannot be reached for a moment: nothing was done, the same request may be sent again. */
export const serviceUnavailable = (what: string, retryAfterSeconds = 1) =>
  new AppError('SERVICE_UNAVAILABLE', `${what} is unavailable for a moment; try again shortly`, { retryAfterSeconds });

export const rateLimited = (retryAfterSeconds: number) =>
  new AppError('RATE_LIMITED', 'Too many requests, slow down', { retryAfterSeconds });

function isPgError(err: unknown, code: string, constraint?: string): boolean {
  let e: unknown = err;
  // Drizzle wraps driver errors; the pg error sits in `cause`.
  for (let i = 0; i < 3 && e; i++) {
    const candidate = e as { code?: string; constraint?: string; cause?: unknown };
    if (candidate.code === code) return constraint === undefined || candidate.constraint === constraint;
    e = candidate.cause;
  }
  return false;
}

/** True for a PostgreSQL unique-constraint violation, optionally on a named constraint. */
export const isUniqueViolation = (err: unknown, constraint?: string) => isPgError(err, '23505', constraint);

/** True for a PostgreSQL foreign-key violation, optionally on a named constraint. */
export const isForeignKeyViolation = (err: unknown, constraint?: string) => isPgError(err, '23503', constraint);
