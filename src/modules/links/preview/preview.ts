import { headIsEnough } from '../extract/decode.ts';
import { type Extract, extractHere } from '../extract/pool.ts';
import { siteNameFromHost } from '../extract/site-name.ts';
import { FetchError } from '../fetch/fetch-errors.ts';
import { fetchOEmbed, type OEmbed } from './oembed.ts';
import { type OEmbedProvider, oembedRequestUrl, type ProviderRegistry } from './oembed-providers.ts';
import type { FetchedResponse, SafeFetch } from '../fetch/safe-fetch.ts';
import { resolveIcon } from './site-icon.ts';
import type { LinkMetadataJson } from '../tables.ts';
import { inSpan } from '../../../observability/trace-context.ts';

const HTML_TYPES = ['text/html', 'application/xhtml+xml'];
const MEDIA = /^(image|video|audio)\//;

export interface PreviewDeps {
  fetch: SafeFetch;
  /** Page extraction (extract/pool.ts); in this thread by default. */
  extract?: Extract;
  /** oEmbed providers (oembed-providers.ts): a matching URL gets its provider's embed. */
  providers?: ProviderRegistry;
}

/**
 * Fetches a URL and builds its preview. A direct link to an image, a video or
 * an audio file previews as that media. A page goes through extraction; its
 * oEmbed (from the provider registry when the URL matches a provider, fetched
 * alongside the page, else the one the page advertises) and its icon are
 * follow-ups through the same safe fetcher. A provider URL whose page cannot be
 * read still previews from its oEmbed. Throws BlockedUrlError or FetchError.
 */
export async function buildPreview(deps: PreviewDeps, url: string): Promise<LinkMetadataJson> {
  return withinPreviewLimit(await readPreview(deps, url));
}

/** What one link's preview may weigh as JSON: every answer and event that carries the link carries it. */
export const MAX_PREVIEW_BYTES = 16_384;

/**
 * The preview within MAX_PREVIEW_BYTES. Each field is capped where it is read
 * (text at a few hundred characters, URLs at 2,048, an embed as a rebuilt
 * iframe), which keeps a preview near 12 kB at most; this is the bound on the
 * whole, dropping the least needed fields first should it ever be passed.
 */
export function withinPreviewLimit(metadata: LinkMetadataJson): LinkMetadataJson {
  const fits = () => Buffer.byteLength(JSON.stringify(metadata)) <= MAX_PREVIEW_BYTES;
  for (const field of ['embed', 'icon', 'description', 'image', 'author', 'siteName'] as const) {
    if (fits()) break;
    metadata[field] = null;
  }
  if (!fits()) metadata.title = metadata.title?.slice(0, 300) ?? null;
  return metadata;
}

async function readPreview(deps: PreviewDeps, url: string): Promise<LinkMetadataJson> {
  const provider = deps.providers?.match(url) ?? null;
  const fromProvider = provider ? fetchOEmbed(deps.fetch, oembedRequestUrl(provider, url), provider) : null;
  const page = await deps
    .fetch(url, {
      accept: 'text/html,application/xhtml+xml;q=0.9,image/*;q=0.8,*/*;q=0.1',
      readTypes: HTML_TYPES,
      enough: headIsEnough,
    })
    .catch(async (err: unknown) => {
      const oembed = await fromProvider;
      if (oembed && provider) return oembed;
      throw err;
    });
  if (!('body' in page)) return fromOEmbed(page, url, provider!);
  if (MEDIA.test(page.contentType)) return mediaPreview(page);
  if (!HTML_TYPES.some((t) => page.contentType.startsWith(t))) {
    throw new FetchError('permanent', 'NOT_HTML', `unsupported content type ${page.contentType.split(';')[0] || 'unknown'}`);
  }
  const extract = deps.extract ?? extractHere;
  // Traced: the extraction's span (in a worker thread of the pool: the wait for a thread included).
  const { metadata, oembedUrl, manifestUrl } = await inSpan('link.extract', { attributes: { 'plaza.page.bytes': page.body.length } }, () =>
    extract(page.body, page.contentType, page.url),
  );
  const [oembed, icon] = await Promise.all([
    fromProvider ?? (oembedUrl ? fetchOEmbed(deps.fetch, oembedUrl, deps.providers?.match(page.url.href) ?? null) : null),
    resolveIcon(deps.fetch, metadata.icon ?? null, manifestUrl, page.url),
  ]);
  metadata.icon = icon;
  if (oembed) mergeOEmbed(metadata, oembed, fromProvider !== null);
  if (!metadata.title && !metadata.description && !metadata.image) {
    throw new FetchError('permanent', 'NO_PREVIEW', 'the page has no title, description or image');
  }
  return metadata;
}

/**
 * The oEmbed's embed wins over the page's own player. A registry provider's
 * title and author win over the page's (its API names them cleanly); an
 * advertised oEmbed only fills what the page lacks.
 */
function mergeOEmbed(metadata: LinkMetadataJson, oembed: OEmbed, fromRegistry: boolean): void {
  metadata.embed = oembed.embed ?? metadata.embed ?? null;
  if (fromRegistry) {
    metadata.title = oembed.title ?? metadata.title ?? null;
    metadata.author = oembed.author ?? metadata.author ?? null;
  }
  metadata.title ??= oembed.title;
  metadata.author ??= oembed.author;
  if (!metadata.image && oembed.thumbnail) {
    metadata.image = oembed.thumbnail;
    metadata.imageWidth = oembed.thumbnailWidth;
    metadata.imageHeight = oembed.thumbnailHeight;
  }
}

function fromOEmbed(oembed: OEmbed, url: string, provider: OEmbedProvider): LinkMetadataJson {
  if (!oembed.title && !oembed.thumbnail && !oembed.embed) throw new FetchError('permanent', 'NO_PREVIEW', 'the provider returned nothing to show');
  return {
    title: oembed.title,
    description: null,
    image: oembed.thumbnail,
    imageWidth: oembed.thumbnailWidth,
    imageHeight: oembed.thumbnailHeight,
    siteName: oembed.provider ?? provider.name,
    author: oembed.author,
    url,
    type: oembed.embed?.type ?? null,
    embed: oembed.embed,
  };
}

/** A direct link to a media file: the file is the preview (and, for video and audio, the embed). */
function mediaPreview(res: FetchedResponse): LinkMetadataJson {
  const kind = MEDIA.exec(res.contentType)![1]!;
  const file = fileName(res.url);
  return {
    title: file,
    description: null,
    image: kind === 'image' ? res.url.href : null,
    siteName: siteNameFromHost(res.url),
    url: res.url.href,
    type: kind,
    embed: kind === 'image' ? null : { type: kind, provider: null, url: res.url.href, html: null, width: null, height: null },
  };
}

function fileName(url: URL): string | null {
  const last = url.pathname.split('/').at(-1) ?? '';
  try {
    return decodeURIComponent(last) || null;
  } catch {
    return last || null;
  }
}
