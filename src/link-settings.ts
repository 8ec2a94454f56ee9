import { availableParallelism } from 'node:os';
import { z } from 'zod';

/**
 * The link-preview settings (`LINK_*`): their names, defaults and format, and
 * what they become. config.ts reads and validates them with the rest.
 */
export const linkSettings = {
  /** Link jobs run at once per worker process (taken from the queue in batches of up to 8), and as many first attempts; default 16. */
  LINK_WORKERS: z.coerce.number().int().min(1).max(64).default(16),
  /** Worker threads that parse fetched pages per worker process; default one less than the cores (at least 1); 0: the main thread. */
  LINK_EXTRACT_THREADS: z.coerce.number().int().min(0).max(64).default(Math.max(1, availableParallelism() - 1)),
  /** How long one page's extraction may take in its thread (its wait for one included) before it fails TOO_SLOW, in ms; default 3 s. */
  LINK_EXTRACT_TIMEOUT_MS: z.coerce.number().int().min(50).default(3_000),
  /** Comma-separated `host[:port]` that may be fetched even on private addresses (an entry with a port: that port only). */
  LINK_FETCH_ALLOW_HOSTS: z.string().default(''),
  /** Fetches of one host running at once, across the cluster (first attempts and jobs); default 2. */
  LINK_FETCH_PER_HOST: z.coerce.number().int().min(1).max(64).default(2),
  /** How often a worker process enqueues jobs for links PENDING longer than this whose page no attempt holds (a crash after their post's commit left them without one), in seconds; default 30. */
  LINK_SWEEP_SECONDS: z.coerce.number().int().min(1).default(30),
  /** A JSON file of extra oEmbed providers in the registry's format (tried before the shipped registry). */
  LINK_OEMBED_PROVIDERS: z.string().optional(),
  /** Whole-fetch deadline in ms, redirects included; default 30 s. */
  LINK_FETCH_TIMEOUT_MS: z.coerce.number().int().min(100).default(30_000),
  /** Largest page body read, in bytes; default 1 MB. */
  LINK_FETCH_MAX_BYTES: z.coerce.number().int().min(1_024).default(1_000_000),
  /** Seconds a fetched preview is reused for the same URL; default 24 h. */
  LINK_CACHE_TTL: z.coerce.number().int().min(0).default(24 * 3600),
  /** Retries of a transient failure before FAILED; default 3. */
  LINK_RETRY_LIMIT: z.coerce.number().int().min(0).max(20).default(3),
  /** First retry delay in seconds, doubled each time (with jitter); default 5. */
  LINK_RETRY_DELAY_SECONDS: z.coerce.number().int().min(1).default(5),
};

type LinkEnv = z.infer<z.ZodObject<typeof linkSettings>>;

export interface LinkSettings {
  workers: number;
  extractThreads: number;
  extractTimeoutMs: number;
  allowHosts: string[];
  perHost: number;
  oembedProvidersFile: string | undefined;
  sweepSeconds: number;
  timeoutMs: number;
  maxBytes: number;
  cacheTtlSeconds: number;
  retryLimit: number;
  retryDelaySeconds: number;
}

/** The link settings out of the validated ones. */
export function linkSettingsOf(env: LinkEnv): LinkSettings {
  return {
    workers: env.LINK_WORKERS,
    extractThreads: env.LINK_EXTRACT_THREADS,
    extractTimeoutMs: env.LINK_EXTRACT_TIMEOUT_MS,
    allowHosts: commaList(env.LINK_FETCH_ALLOW_HOSTS),
    perHost: env.LINK_FETCH_PER_HOST,
    oembedProvidersFile: env.LINK_OEMBED_PROVIDERS,
    sweepSeconds: env.LINK_SWEEP_SECONDS,
    timeoutMs: env.LINK_FETCH_TIMEOUT_MS,
    maxBytes: env.LINK_FETCH_MAX_BYTES,
    cacheTtlSeconds: env.LINK_CACHE_TTL,
    retryLimit: env.LINK_RETRY_LIMIT,
    retryDelaySeconds: env.LINK_RETRY_DELAY_SECONDS,
  };
}

/** "a, b,,c" -> ["a", "b", "c"]. */
export const commaList = (value: string) =>
  value
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);
