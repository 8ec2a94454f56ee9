/**
 * How a fetch went wrong, which decides the link's fate:
 * - `permanent`: FAILED at once, never retried (404, not HTML, too large);
 * - `transient`: retried with backoff, FAILED when retries run out (5xx, 408, 429, timeouts, resets, DNS);
 * - `blocked` is a BlockedUrlError: BLOCKED, never retried.
 */
export class FetchError extends Error {
  readonly kind: 'permanent' | 'transient';
  /** From a Retry-After header, when the site sent one. */
  readonly retryAfterSeconds: number | undefined;
  constructor(kind: 'permanent' | 'transient', message: string, retryAfterSeconds?: number) {
    super(message);
    this.name = 'FetchError';
    this.kind = kind;
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

/** Seconds from a Retry-After header (delta-seconds or an HTTP date), if it parses. */
export function parseRetryAfter(value: string | string[] | undefined, now = Date.now()): number | undefined {
  const raw = Array.isArray(value) ? value[0] : value;
  if (!raw) return undefined;
  if (/^\d+$/.test(raw.trim())) return Number(raw.trim());
  const date = Date.parse(raw);
  return Number.isNaN(date) ? undefined : Math.max(0, Math.ceil((date - now) / 1000));
}
