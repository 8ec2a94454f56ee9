import { toInt } from './extract/metadata.ts';
import { absoluteUrl, cleanText } from './extract/text.ts';
import type { OEmbedProvider } from './oembed-providers.ts';
import type { SafeFetch } from './safe-fetch.ts';
import type { LinkMetadataJson } from './tables.ts';

export interface OEmbed {
  embed: LinkMetadataJson['embed'];
  title: string | null;
  author: string | null;
  provider: string | null;
  thumbnail: string | null;
  thumbnailWidth: number | null;
  thumbnailHeight: number | null;
}

const IFRAME_ONLY = /^\s*<iframe\b[^>]*>\s*<\/iframe>\s*$/i;

/**
 * An oEmbed document, fetched through the same safe fetcher; null on any
 * failure. `html` is kept only from a provider known to serve a plain iframe of
 * its player (`provider.iframe`), and only when it is just that.
 */
export async function fetchOEmbed(fetch: SafeFetch, url: string, provider: OEmbedProvider | null): Promise<OEmbed | null> {
  try {
    const res = await fetch(url, { accept: 'application/json', readTypes: ['application/json', 'text/'] });
    const doc = JSON.parse(res.body.toString('utf8')) as Record<string, unknown>;
    if (!doc || typeof doc !== 'object') return null;
    const type = cleanText(doc.type, 20);
    const html = provider?.iframe && typeof doc.html === 'string' && IFRAME_ONLY.test(doc.html) ? doc.html.trim().slice(0, 10_000) : null;
    const name = cleanText(doc.provider_name, 100) ?? provider?.name ?? null;
    return {
      embed: type
        ? {
            type,
            provider: name,
            url: absoluteUrl(doc.url, res.url) ?? (html ? iframeSrc(html, res.url) : null),
            html,
            width: toInt(doc.width),
            height: toInt(doc.height),
          }
        : null,
      title: cleanText(doc.title, 300),
      author: cleanText(doc.author_name, 100),
      provider: name,
      thumbnail: absoluteUrl(doc.thumbnail_url, res.url),
      thumbnailWidth: toInt(doc.thumbnail_width),
      thumbnailHeight: toInt(doc.thumbnail_height),
    };
  } catch {
    return null;
  }
}

function iframeSrc(html: string, base: URL): string | null {
  return absoluteUrl(/\ssrc=["']([^"']+)["']/i.exec(html)?.[1]?.replaceAll('&amp;', '&'), base);
}
