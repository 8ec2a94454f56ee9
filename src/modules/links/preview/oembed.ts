import { absoluteUrl, cleanText, toInt } from '../extract/text.ts';
import type { OEmbedProvider } from './oembed-providers.ts';
import type { SafeFetch } from '../fetch/safe-fetch.ts';
import type { LinkMetadataJson } from '../tables.ts';

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
    const iframe = provider?.iframe && typeof doc.html === 'string' && IFRAME_ONLY.test(doc.html) ? iframeSrc(doc.html, res.url) : null;
    const width = toInt(doc.width);
    const height = toInt(doc.height);
    // Not the provider's markup as sent (its attributes could carry anything, at any length): an iframe of its player, rebuilt.
    const html = iframe ? playerIframe(iframe, width, height) : null;
    const name = cleanText(doc.provider_name, 100) ?? provider?.name ?? null;
    return {
      embed: type
        ? {
            type,
            provider: name,
            url: absoluteUrl(doc.url, res.url) ?? iframe,
            html,
            width,
            height,
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

const attribute = (value: string) => value.replaceAll('&', '&amp;').replaceAll('"', '&quot;').replaceAll('<', '&lt;');

function playerIframe(src: string, width: number | null, height: number | null): string {
  const size = `${width ? ` width="${width}"` : ''}${height ? ` height="${height}"` : ''}`;
  return `<iframe src="${attribute(src)}"${size}></iframe>`;
}

function iframeSrc(html: string, base: URL): string | null {
  return absoluteUrl(/\ssrc=["']([^"']+)["']/i.exec(html)?.[1]?.replaceAll('&amp;', '&'), base);
}
