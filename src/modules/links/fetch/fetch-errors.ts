/**
 * What a user is told of a link that got no preview: a category, never the
 * details (an address a name resolved to, a network error's text), which go
 * to the log. `Link.error` holds one of these.
 */
export const LINK_ERRORS = {
  BLOCKED: 'The URL may not be fetched (not a public web address, scheme or port not allowed)',
  UNREACHABLE: 'The site could not be reached',
  TIMEOUT: 'The site took too long to answer',
  HTTP_ERROR: 'The site answered with an error',
  REDIRECTS: 'The site redirected too often or without a location',
  NOT_HTML: 'The URL is not a web page or a media file',
  TOO_LARGE: 'The page is larger than the limit',
  NO_PREVIEW: 'The page has nothing to preview',
  TOO_SLOW: 'The page took too long to read',
  UNEXPECTED: 'The page could not be read',
} as const;

export type LinkErrorCategory = keyof typeof LINK_ERRORS;

/**
 * How a fetch went wrong, which decides the link's fate:
 * - `permanent`: FAILED at once, never retried (404, not HTML, too large);
 * - `transient`: retried with backoff, FAILED when retries run out (5xx, 408, 429, timeouts, resets, DNS);
 * - `blocked` is a BlockedUrlError: BLOCKED, never retried.
 */
export class FetchError extends Error {
  readonly kind: 'permanent' | 'transient';
  /** What the user is told (`message` is for the log). */
  readonly category: LinkErrorCategory;
  /** From a Retry-After header, when the site sent one. */
  readonly retryAfterSeconds: number | undefined;
  constructor(kind: 'permanent' | 'transient', category: LinkErrorCategory, message: string, retryAfterSeconds?: number) {
    super(message);
    this.name = 'FetchError';
    this.kind = kind;
    this.category = category;
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
