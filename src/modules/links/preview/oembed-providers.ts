import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

/** One provider as the oEmbed registry (oembed.com's providers.json) lists it; `iframe` is Plaza's own addition. */
export interface RegistryProvider {
  provider_name: string;
  endpoints: Array<{ schemes?: string[]; url: string }>;
  /** The provider's `html` is a plain iframe of its own player (see IFRAME_PROVIDERS). */
  iframe?: boolean;
}

export interface OEmbedProvider {
  name: string;
  /** The endpoint, `{format}` filled in. */
  endpoint: string;
  /** Keep the provider's `html` (an iframe of its player, rendered sandboxed). */
  iframe: boolean;
}

export interface ProviderRegistry {
  /** The provider whose URL schemes match this URL, if any. */
  match(url: string): OEmbedProvider | null;
}

/**
 * Providers whose oEmbed `html` is an iframe of their own player: that markup
 * is kept. Others (X/Twitter, TikTok, Instagram…) answer with a blockquote and
 * a script, which a client would have to run: only their `url`, size and type
 * are kept.
 */
const IFRAME_PROVIDERS = new Set([
  'YouTube',
  'Vimeo',
  'Spotify',
  'SoundCloud',
  'Dailymotion',
  'Loom',
  'Wistia, Inc.',
  'Streamable',
  'TED',
  'Figma',
  'Apple Podcasts',
  'Audioboom',
  'Podbean',
  'Sketchfab',
  'SlideShare',
  'CodePen',
  'Vidyard',
  'Canva',
  'Kickstarter',
  'Coub',
]);

/** A registry scheme ("https://*.youtube.com/watch*") as a pattern; http and https both match. */
function schemePattern(scheme: string): RegExp | null {
  const match = /^https?:\/\/(.+)$/i.exec(scheme.trim());
  if (!match) return null;
  const body = match[1]!.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replaceAll('*', '.*');
  return new RegExp(`^https?://${body}$`, 'i');
}

/** The last two labels of a host, without port: what a scheme and a URL are indexed by ("www.youtube.com" -> "youtube.com"). */
function hostKey(host: string): string {
  return host.replace(/:\d+$/, '').toLowerCase().split('.').slice(-2).join('.');
}

/**
 * The registry as matchable providers, indexed by each scheme's host (its
 * last two labels), so a URL is tried against its own site's few patterns,
 * not all ~1,000; schemes whose host ends in a wildcard are tried for every URL.
 */
export function createProviderRegistry(providers: readonly RegistryProvider[]): ProviderRegistry {
  const byHost = new Map<string, Array<{ pattern: RegExp; provider: OEmbedProvider }>>();
  const anyHost: Array<{ pattern: RegExp; provider: OEmbedProvider }> = [];
  for (const provider of providers) {
    for (const endpoint of provider.endpoints ?? []) {
      if (typeof endpoint.url !== 'string' || !/^https?:\/\//i.test(endpoint.url)) continue;
      const resolved: OEmbedProvider = {
        name: provider.provider_name,
        endpoint: endpoint.url.replace('{format}', 'json'),
        iframe: provider.iframe ?? IFRAME_PROVIDERS.has(provider.provider_name),
      };
      for (const scheme of endpoint.schemes ?? []) {
        const pattern = schemePattern(scheme);
        if (!pattern) continue;
        const host = /^https?:\/\/([^/?#]+)/i.exec(scheme.trim())?.[1] ?? '*';
        const key = hostKey(host);
        if (key.includes('*')) anyHost.push({ pattern, provider: resolved });
        else byHost.set(key, [...(byHost.get(key) ?? []), { pattern, provider: resolved }]);
      }
    }
  }
  return {
    match(url) {
      let host: string;
      try {
        host = new URL(url).host;
      } catch {
        return null;
      }
      for (const entry of [...(byHost.get(hostKey(host)) ?? []), ...anyHost]) if (entry.pattern.test(url)) return entry.provider;
      return null;
    },
  };
}

/**
 * The registry shipped in the `oembed-providers` package, plus a deployment's
 * own providers (a JSON file in the same format, e.g. an internal video site),
 * which are tried first.
 */
export function loadProviderRegistry(extraFile?: string): ProviderRegistry {
  const require = createRequire(import.meta.url);
  const shipped = require('oembed-providers/providers.json') as RegistryProvider[];
  const extra = extraFile ? (JSON.parse(readFileSync(extraFile, 'utf8')) as RegistryProvider[]) : [];
  return createProviderRegistry([...extra, ...shipped]);
}

/** The endpoint's request for one URL. */
export function oembedRequestUrl(provider: OEmbedProvider, url: string): string {
  const request = new URL(provider.endpoint);
  request.searchParams.set('url', url);
  request.searchParams.set('format', 'json');
  return request.href;
}
