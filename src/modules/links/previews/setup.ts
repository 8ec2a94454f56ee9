import { extractPage } from '../extract/page.ts';
import { loadProviderRegistry } from '../oembed-providers.ts';
import type { PreviewDeps } from '../preview.ts';
import { createSafeFetch } from '../safe-fetch.ts';
import { parseAllowList } from '../url-policy.ts';

/** What a preview needs to know, as plain data (it crosses to the worker threads). */
export interface PreviewSettings {
  allowHosts: string[];
  timeoutMs: number;
  maxBytes: number;
  userAgent: string;
  oembedProvidersFile: string | undefined;
}

/** The fetcher, the extraction and the oEmbed providers a thread builds previews with. */
export function previewDeps(settings: PreviewSettings): PreviewDeps & { close(): Promise<void> } {
  const fetch = createSafeFetch({
    allow: parseAllowList(settings.allowHosts),
    timeoutMs: settings.timeoutMs,
    maxBytes: settings.maxBytes,
    userAgent: settings.userAgent,
  });
  return { fetch, extract: extractPage, providers: loadProviderRegistry(settings.oembedProvidersFile), close: () => fetch.close() };
}
