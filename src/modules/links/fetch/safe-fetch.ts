import { Agent, request } from 'undici';
import { inSpan, SpanKind } from '../../../observability/trace-context.ts';
import { FetchError, parseRetryAfter } from './fetch-errors.ts';
import { createSafeLookup } from './safe-lookup.ts';
import { type AllowList, BlockedUrlError, checkUrl, portOf } from './url-policy.ts';

export interface SafeFetchOptions {
  allow: AllowList;
  /** Whole fetch, redirects included; default 30 s. */
  timeoutMs: number;
  /** Largest body read, in bytes; default about 1 MB. */
  maxBytes: number;
  userAgent: string;
}

export interface FetchedResponse {
  url: URL;
  status: number;
  contentType: string;
  /** The body read so far: all of it, or up to where `enough` said stop. */
  body: Buffer;
  elapsedMs: number;
}

export interface FetchRequest {
  accept: string;
  /** Makes this fetch's check, told each chunk of the body as it arrives; its true stops reading (e.g. the HTML head is complete). */
  enough?: () => (chunk: Buffer) => boolean;
  /** Only read the body for these content types (prefix match); others return an empty body. */
  readTypes?: string[];
}

const MAX_REDIRECTS = 5;
const REDIRECTS = new Set([301, 302, 303, 307, 308]);

export type SafeFetch = ((url: string, req: FetchRequest) => Promise<FetchedResponse>) & {
  /** Closes the connections once the fetches under way end. */
  close(): Promise<void>;
  /** Closes the connections now, failing the fetches under way. */
  destroy(): Promise<void>;
};

/**
 * Fetches a URL the way a careful unfurler must: every hop is checked (scheme,
 * port, IP literal) before it is dialled and every connection's addresses at
 * connect time; at most 5 redirects; one deadline for the whole fetch; the
 * body is read as a stream and capped.
 */
export function createSafeFetch(options: SafeFetchOptions): SafeFetch {
  const agentWith = (lookup?: ReturnType<typeof createSafeLookup>) =>
    new Agent({
      connect: { ...(lookup ? { lookup } : {}), timeout: Math.min(10_000, options.timeoutMs) },
      headersTimeout: Math.min(15_000, options.timeoutMs),
      bodyTimeout: Math.min(15_000, options.timeoutMs),
      keepAliveTimeout: 4_000,
      connections: 16,
    });
  // Every connection's addresses are checked, but those to a `host[:port]` of the allow-list, on that port.
  const agent = agentWith(createSafeLookup());
  const allowedAgent = agentWith();
  const agentFor = (url: URL) => (options.allow.has(url.hostname, portOf(url)) ? allowedAgent : agent);

  const safeFetch = (raw: string, req: FetchRequest): Promise<FetchedResponse> =>
    // Traced: a client span per fetch (its redirects within), the URL without its query or credentials. No trace
    // header is sent: the sites are strangers.
    inSpan('GET', { kind: SpanKind.CLIENT, attributes: { 'http.request.method': 'GET', 'url.full': withoutQuery(raw) } }, async (span) => {
      const started = Date.now();
      const deadline = new AbortController();
      const timer = setTimeout(() => deadline.abort(), options.timeoutMs);
      const { signal } = deadline;
      try {
        const fetched = await fetchHops(raw, req, signal, started);
        span?.setAttributes({ 'http.response.status_code': fetched.status, 'http.response.body.size': fetched.body.length });
        return fetched;
      } finally {
        clearTimeout(timer);
      }
    });

  const fetchHops = async (raw: string, req: FetchRequest, signal: AbortSignal, started: number): Promise<FetchedResponse> => {
    let url = checkUrl(raw, options.allow);
    for (let hop = 0; ; hop++) {
      const res = await request(url, {
        method: 'GET',
        dispatcher: agentFor(url),
        signal,
        headers: {
          'user-agent': options.userAgent,
          accept: req.accept,
          'accept-language': 'en;q=1, *;q=0.5',
        },
      }).catch((err: unknown) => {
        throw classify(err, signal);
      });
      // Whatever happens to the body from here, a late error on it must not go unheard.
      res.body.on('error', () => {});
      if (REDIRECTS.has(res.statusCode)) {
        res.body.destroy();
        const location = res.headers.location;
        if (typeof location !== 'string') throw new FetchError('permanent', 'REDIRECTS', `redirect ${res.statusCode} without a Location`);
        if (hop >= MAX_REDIRECTS) throw new FetchError('permanent', 'REDIRECTS', `more than ${MAX_REDIRECTS} redirects`);
        url = checkUrl(new URL(location, url), options.allow);
        continue;
      }
      const contentType = String(res.headers['content-type'] ?? '').toLowerCase();
      if (res.statusCode >= 400) {
        res.body.destroy();
        const transient = res.statusCode >= 500 || res.statusCode === 408 || res.statusCode === 429;
        throw new FetchError(
          transient ? 'transient' : 'permanent',
          'HTTP_ERROR',
          `HTTP ${res.statusCode}`,
          transient ? parseRetryAfter(res.headers['retry-after']) : undefined,
        );
      }
      const wanted = !req.readTypes || req.readTypes.some((t) => contentType.startsWith(t));
      if (!wanted) {
        res.body.destroy();
        return { url, status: res.statusCode, contentType, body: Buffer.alloc(0), elapsedMs: Date.now() - started };
      }
      const declared = Number(res.headers['content-length']);
      if (declared > options.maxBytes) {
        res.body.destroy();
        throw new FetchError('permanent', 'TOO_LARGE', `body of ${declared} bytes is over the ${options.maxBytes}-byte limit`);
      }
      const body = await readCapped(res.body, options.maxBytes, req.enough?.()).catch((err: unknown) => {
        throw err instanceof FetchError ? err : classify(err, signal);
      });
      return { url, status: res.statusCode, contentType, body, elapsedMs: Date.now() - started };
    }
  };
  return Object.assign(safeFetch, {
    close: async () => void (await Promise.all([agent.close(), allowedAgent.close()])),
    destroy: async () => void (await Promise.all([agent.destroy(), allowedAgent.destroy()])),
  });
}

async function readCapped(
  body: AsyncIterable<Buffer> & { destroy(): void },
  maxBytes: number,
  enough?: (chunk: Buffer) => boolean,
): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    chunks.push(chunk);
    size += chunk.length;
    if (enough?.(chunk)) {
      body.destroy();
      return Buffer.concat(chunks, size);
    }
    if (size > maxBytes) {
      body.destroy();
      throw new FetchError('permanent', 'TOO_LARGE', `body is over the ${maxBytes}-byte limit`);
    }
  }
  return Buffer.concat(chunks, size);
}

/** A URL as a span names it: no credentials, query or fragment (they may carry secrets). */
function withoutQuery(raw: string): string {
  try {
    const url = new URL(raw);
    return `${url.protocol}//${url.host}${url.pathname}`;
  } catch {
    return 'invalid';
  }
}

/** undici's own deadlines (connect, headers, body): the same limit as the whole fetch's, whichever fires first. */
const TIMEOUT_CODES = new Set(['UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);

function classify(err: unknown, signal: AbortSignal): Error {
  if (err instanceof BlockedUrlError || err instanceof FetchError) return err;
  const cause = (err as { cause?: unknown }).cause;
  if (cause instanceof BlockedUrlError) return cause;
  const code = (err as { code?: string }).code ?? (cause as { code?: string } | undefined)?.code;
  if (signal.aborted || (code !== undefined && TIMEOUT_CODES.has(code))) return new FetchError('transient', 'TIMEOUT', 'timed out');
  return new FetchError('transient', 'UNREACHABLE', code ? `network error ${code}` : `network error: ${(err as Error).message}`);
}
