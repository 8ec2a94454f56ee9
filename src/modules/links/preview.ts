import { decodeHtml, headIsEnough, previewSource } from './decode.ts';
import { extractMetadata, toInt } from './extract/metadata.ts';
import type { Extract } from './extract/pool.ts';
import { absoluteUrl, cleanText } from './extract/text.ts';
import { siteNameFromHost } from './extract/site-name.ts';
import { FetchError } from './fetch-errors.ts';
import type { SafeFetch } from './safe-fetch.ts';
import type { LinkMetadataJson } from './tables.ts';

const HTML_TYPES = ['text/html', 'application/xhtml+xml'];

/**
 * Fetches a URL and builds its preview: an image URL previews as itself; an
 * HTML page through extraction and its advertised oEmbed; anything else fails.
 * Throws BlockedUrlError or FetchError.
 */
export async function buildPreview(fetch: SafeFetch, url: string, extract: Extract = extractMetadata): Promise<LinkMetadataJson> {
  const res = await fetch(url, {
    accept: 'text/html,application/xhtml+xml;q=0.9,image/*;q=0.8,*/*;q=0.1',
    readTypes: HTML_TYPES,
    enough: headIsEnough,
  });
  if (res.contentType.startsWith('image/')) {
    return {
      title: decodeURIComponent(res.url.pathname.split('/').at(-1) ?? '') || null,
      description: null,
      image: res.url.href,
      siteName: siteNameFromHost(res.url),
      url: res.url.href,
      type: 'image',
      embed: null,
    };
  }
  if (!HTML_TYPES.some((t) => res.contentType.startsWith(t))) {
    throw new FetchError('permanent', `unsupported content type ${res.contentType.split(';')[0] || 'unknown'}`);
  }
  const { metadata, oembedUrl } = await extract(decodeHtml(previewSource(res.body), res.contentType), res.url);
  if (oembedUrl) {
    const oembed = await fetchOEmbed(fetch, oembedUrl);
    if (oembed) {
      metadata.embed = oembed.embed ?? metadata.embed ?? null;
      metadata.title ??= oembed.title;
      metadata.image ??= oembed.thumbnail;
    }
  }
  if (!metadata.title && !metadata.description && !metadata.image) {
    throw new FetchError('permanent', 'the page has no title, description or image');
  }
  return metadata;
}

interface OEmbed {
  embed: LinkMetadataJson['embed'];
  title: string | null;
  thumbnail: string | null;
}

/** The oEmbed document a page advertises, fetched through the same safe fetcher; null on any failure. */
async function fetchOEmbed(fetch: SafeFetch, url: string): Promise<OEmbed | null> {
  try {
    const res = await fetch(url, { accept: 'application/json', readTypes: ['application/json', 'text/'] });
    const doc = JSON.parse(res.body.toString('utf8')) as Record<string, unknown>;
    const type = cleanText(doc.type, 20);
    const html = typeof doc.html === 'string' ? doc.html.slice(0, 10_000) : null;
    const embedUrl = absoluteUrl(doc.url, res.url);
    return {
      embed: type
        ? {
            type,
            provider: cleanText(doc.provider_name, 100),
            url: embedUrl,
            html,
            width: toInt(doc.width),
            height: toInt(doc.height),
          }
        : null,
      title: cleanText(doc.title, 300),
      thumbnail: absoluteUrl(doc.thumbnail_url, res.url),
    };
  } catch {
    return null;
  }
}
