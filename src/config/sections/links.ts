import { availableParallelism } from 'node:os';
import { z } from 'zod';
import { commaList, int, section } from '../section.ts';

/** The link-preview pipeline (`LINK_*`). */
export const links = section(
  {
    LINK_WORKERS: int(1).max(64).default(16).describe('Link jobs run at once per worker process (taken from the queue in batches of LINK_FETCH_PER_HOST), and as many first attempts'),
    LINK_EXTRACT_THREADS: int(0)
      .max(64)
      .default(Math.max(1, availableParallelism() - 1))
      .describe('Worker threads that parse fetched pages per worker process; 0: the main thread')
      .meta({ shownDefault: 'the cores less one (at least 1)' }),
    LINK_EXTRACT_TIMEOUT_MS: int(50).default(3_000).describe("How long one page's extraction may take in its thread (its wait included) before the thread is replaced and the link FAILED with TOO_SLOW"),
    LINK_FETCH_ALLOW_HOSTS: z.string().default('').describe('Comma-separated `host[:port]` that may be fetched even on private addresses (intranets, tests); an entry with a port allows that port only'),
    LINK_FETCH_PER_HOST: int(1).max(64).default(2).describe('Fetches of one host running at once, across the cluster (first attempts and jobs)'),
    LINK_SWEEP_SECONDS: int(1).default(30).describe('How often a worker process enqueues jobs for links PENDING longer than this whose page no attempt holds (a crash left them without one)'),
    LINK_OEMBED_PROVIDERS: z.string().optional().describe("A JSON file of extra oEmbed providers in the registry's format (`\"iframe\": true` keeps their player), tried before the shipped registry"),
    LINK_FETCH_TIMEOUT_MS: int(100).default(30_000).describe('Deadline for one whole fetch, redirects included'),
    LINK_FETCH_MAX_BYTES: int(1_024).default(1_000_000).describe('Largest page body read, in bytes'),
    LINK_CACHE_TTL: int(0).default(24 * 3600).describe('Seconds a fetched preview is reused for the same page'),
    LINK_RETRY_LIMIT: int(0).max(20).default(3).describe('Retries of a transient failure before FAILED'),
    LINK_RETRY_DELAY_SECONDS: int(1).default(5).describe('First retry delay, doubled each time with jitter (at most 10 minutes)'),
  },
  {
    prefix: 'LINK_',
    // The names the pipeline's code speaks of (a fetch's timeout, a host's allowance).
    derive: (v) => ({
      workers: v.workers,
      extractThreads: v.extractThreads,
      extractTimeoutMs: v.extractTimeoutMs,
      allowHosts: commaList(v.fetchAllowHosts),
      perHost: v.fetchPerHost,
      sweepSeconds: v.sweepSeconds,
      oembedProvidersFile: v.oembedProviders,
      timeoutMs: v.fetchTimeoutMs,
      maxBytes: v.fetchMaxBytes,
      cacheTtlSeconds: v.cacheTtl,
      retryLimit: v.retryLimit,
      retryDelaySeconds: v.retryDelaySeconds,
    }),
  },
);

export type LinkSettings = ReturnType<typeof links.read>;
