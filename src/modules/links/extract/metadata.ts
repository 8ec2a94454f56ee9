import ogs from 'open-graph-scraper';
import type { LinkMetadataJson } from '../tables.ts';
import { ldValue, mainLdNode, type PageDocument, pageTitle, readDocument, selectAll, selectFirst, textOf } from './document.ts';
import { extractAuthor } from './author.ts';
import { extractLang } from './lang.ts';
import { extractDates } from './dates.ts';
import { extractIcons } from './icons.ts';
import { firstContentImage, imageUrl, isSiteImage, leadImage } from './images.ts';
import { firstParagraph } from './prose.ts';
import { isSiteTagline } from './tagline.ts';
import { normaliseSiteName, siteFromTitle, siteNameFromHost } from './site-name.ts';
import { absoluteUrl, cleanText, firstOf, lettersOnly, smartQuotes, tidyUrl, toInt } from './text.ts';

export interface Extracted {
  metadata: LinkMetadataJson;
  /** An oEmbed endpoint the page advertises, to be fetched (safely) for `embed`. */
  oembedUrl: string | null;
  /** A web app manifest to read the icon from (the page declares no sized icon), to be fetched safely. */
  manifestUrl: string | null;
}

type OgResult = Awaited<ReturnType<typeof ogs>>['result'];

/**
 * Reads a page's preview: open-graph-scraper first, then Twitter cards,
 * JSON-LD, <title> and meta description, icons and the page's own markup.
 * Every URL is made absolute against the page's final URL.
 */
export async function extractMetadata(html: string, pageUrl: URL): Promise<Extracted> {
  // One parse of the page for everything; open-graph-scraper is handed its Open Graph tags alone.
  const doc = readDocument(html);
  const og = await readOpenGraph(openGraphTags(doc));
  const ld = mainLdNode(doc);
  const meta = (key: string) => cleanText(doc.meta.get(key));
  const htmlTitle = cleanText(pageTitle(doc), 300);

  // The site names the page declares, whatever the source.
  const declared = {
    publisher: cleanText(ldPublisherName(doc), 100),
    openGraph: cleanText(doc.meta.get('og:site_name'), 100),
    application: cleanText(doc.meta.get('application-name'), 100),
    appleApp: cleanText(doc.meta.get('apple-mobile-web-app-title'), 100),
  };
  const canonical = firstOf(
    absoluteUrl(og.ogUrl, pageUrl),
    absoluteUrl(doc.links.find((l) => l.rel === 'canonical')?.href, pageUrl),
    pageUrl.href,
  );
  // The site's home page: its title is the site's name, and the dates on it are its stories', not its own.
  const home = new URL(canonical ?? pageUrl.href).pathname.replace(/\/(index\.\w+)?$/, '') === '';
  const titleSite = siteFromTitle(htmlTitle, pageUrl);
  const siteName = normaliseSiteName(
    firstOf(
      declared.publisher,
      declared.openGraph,
      cleanText(og.ogSiteName, 100),
      declared.application,
      declared.appleApp,
    ) ??
      firstOf(
        cleanText(microdataPublisher(doc), 100),
        titleSite,
        home ? cleanText(htmlTitle, 100) : null,
        logoName(doc),
      ),
    pageUrl,
  );

  // The name as the title spells it too: "Wikipedia, the free encyclopedia" for the site named "Wikipedia".
  const siteNames = [siteName, ...Object.values(declared), titleSite, siteNameFromHost(pageUrl)];
  // A title that is only the site's name names no page below the home page (an article whose og:title is the
  // outlet's): the next one does. On the home page the site's name is its title.
  const notTheSite = (candidate: string | null) => (candidate && (home || !isSiteName(candidate, siteNames)) ? candidate : null);
  const title = smartQuotes(
    firstOf(
      notTheSite(meta('og:title')),
      notTheSite(meta('twitter:title')),
      notTheSite(cleanText(ldValue(ld?.headline, ['name']) ?? ldValue(ld?.name, ['name']), 300)),
      notTheSite(htmlTitle ? withoutSiteName(htmlTitle, siteNames) : null),
      notTheSite(cleanText(textOf(selectFirst(doc, 'h1')), 300)),
      meta('og:title'),
      htmlTitle,
      cleanText(og.ogTitle, 300),
    ),
  );

  // A declared description that only repeats the page's title (as manuals' generators write it) describes nothing.
  const describes = (text: string | null) => (text && lettersOnly(text) !== lettersOnly(htmlTitle ?? '') && lettersOnly(text) !== lettersOnly(title ?? '') ? text : null);
  const declaredDescription = firstOf(
    describes(meta('og:description')),
    describes(meta('twitter:description')),
    describes(meta('description')),
    // Every other one the page declares: a second may describe where the first repeats the title.
    ...metaContents(doc, 'description').map((text) => describes(cleanText(text))),
    describes(cleanText(ldValue(ld?.description, ['text']))),
    describes(cleanText(og.ogDescription)),
  );
  // Below the home page, a description that is only the site's tagline yields to the page's own first paragraph.
  const description = smartQuotes(
    declaredDescription && (home || !isSiteTagline(doc, declaredDescription)) ? declaredDescription : (firstParagraph(doc) ?? declaredDescription),
  );

  const declaredImages = [
    doc.meta.get('og:image:secure_url'),
    doc.meta.get('og:image'),
    doc.meta.get('og:image:url'),
    doc.meta.get('twitter:image'),
    doc.meta.get('twitter:image:src'),
    ldValue(ld?.image, ['url', 'contentUrl', '@id']),
    ldValue(ld?.thumbnailUrl),
    ...(og.ogImage ?? []).map((i) => i.url),
    doc.links.find((l) => l.rel === 'image_src')?.href,
    doc.meta.get('image'),
    doc.meta.get('thumbnail'),
  ].map((candidate) => imageUrl(candidate, pageUrl));
  // The page's own picture before the site's logo or placeholder it declares for every page: a declared one that
  // is not the site's, else the page's first content image, else the site's after all.
  const declaredImage = firstOf(...declaredImages);
  const image = tidyUrl(
    (declaredImage && isSiteImage(declaredImage)
      ? (firstOf(...declaredImages.filter((candidate) => candidate && !isSiteImage(candidate))) ?? leadImage(doc, pageUrl) ?? declaredImage)
      : declaredImage) ??
      imageUrl(selectFirst(doc, 'video[poster]')?.attribs.poster, pageUrl) ??
      firstContentImage(doc, pageUrl),
  );

  const lang = extractLang(doc, ld);
  const icons = extractIcons(doc, pageUrl);
  const oembed = doc.links.find((l) => l.rel === 'alternate' && l.type === 'application/json+oembed');
  return {
    metadata: {
      title,
      description,
      image,
      siteName,
      url: canonical,
      type: cleanText(og.ogType, 50),
      author: extractAuthor(doc, ld, siteName),
      ...extractDates(doc, ld, pageUrl, lang, home),
      lang,
      icon: icons.icon,
      ...imageSize(doc, ld, image, pageUrl),
      embed: playerEmbed(doc, pageUrl, siteName),
    },
    oembedUrl: absoluteUrl(oembed?.href, pageUrl),
    manifestUrl: icons.manifestUrl,
  };
}

/** The declared size of the chosen image: Open Graph's, Twitter's or JSON-LD's, whichever describes that image. */
function imageSize(
  doc: PageDocument,
  ld: Record<string, unknown> | null,
  image: string | null,
  pageUrl: URL,
): { imageWidth: number | null; imageHeight: number | null } {
  const none = { imageWidth: null, imageHeight: null };
  if (!image) return none;
  const same = (candidate: unknown) => tidyUrl(imageUrl(typeof candidate === 'string' ? candidate : null, pageUrl)) === image;
  const m = (key: string) => doc.meta.get(key);
  for (const prefix of ['og:image', 'twitter:image']) {
    const declared = [m(`${prefix}:secure_url`), m(prefix), m(`${prefix}:url`), m(`${prefix}:src`)];
    if (declared.some(same)) {
      const size = { imageWidth: toInt(m(`${prefix}:width`)), imageHeight: toInt(m(`${prefix}:height`)) };
      if (size.imageWidth && size.imageHeight) return size;
    }
  }
  const ldImage = (Array.isArray(ld?.image) ? ld.image[0] : ld?.image) as Record<string, unknown> | undefined;
  if (ldImage && typeof ldImage === 'object' && same(ldValue(ldImage, ['url', 'contentUrl']))) {
    const size = { imageWidth: toInt(ldImage.width), imageHeight: toInt(ldImage.height) };
    if (size.imageWidth && size.imageHeight) return size;
  }
  return none;
}

/**
 * What open-graph-scraper reads: the page's Open Graph (and Twitter, article)
 * tags, as a small document of their own, with its fallbacks off (ours read
 * the page). It would otherwise parse the whole head again, inline scripts and
 * styles included, and guess its charset: five times the cost of our own parse
 * of the page, for the same tags.
 */
function openGraphTags(doc: PageDocument): string {
  const tags = doc.metaElements
    .filter(({ attribs: { property = '', name = '' } }) => OPEN_GRAPH_PREFIXES.some((prefix) => property.startsWith(prefix)) || /^(og|twitter):/.test(name))
    .map((el) => doc.$.html(el))
    .join('');
  return `<!doctype html><html><head>${tags}</head><body></body></html>`;
}

/** Prefixes of the `property` of the tags open-graph-scraper reads (of `name`, og: and twitter: only). */
const OPEN_GRAPH_PREFIXES = ['og:', 'twitter:', 'article:'];

async function readOpenGraph(html: string): Promise<OgResult> {
  try {
    const { result } = await ogs({ html, onlyGetOpenGraphInfo: true });
    return result;
  } catch {
    return {} as OgResult;
  }
}

const TITLE_SEPARATOR = /\s+[|–—·:»•›/-]\s+/g;

/** Whether `text` is one of the site's `names` (case, punctuation, "www." and a domain ending aside). */
function isSiteName(text: string, names: Array<string | null>): boolean {
  const key = (name: string) => lettersOnly(name.replace(/^www\./i, '').replace(/\.(com|net|org|co\.uk)$/i, ''));
  const title = key(text);
  return names.some((name) => name !== null && key(name) === title);
}

/**
 * "Headline - BBC News" -> "Headline" when the title ends with the site's name (before a short
 * topic, at most): one of `names` (the site names the page declares, its host's name), equal once
 * case and punctuation are folded, or holding the host's name.
 */
export function withoutSiteName(title: string, names: Array<string | null>): string {
  const separators = [...title.matchAll(TITLE_SEPARATOR)];
  const last = separators.at(-1);
  if (!last || last.index === 0) return title;
  const known = names.filter((n): n is string => Boolean(n)).map(lettersOnly).filter(Boolean);
  const isSite = (segment: string) => {
    const text = lettersOnly(segment);
    return known.some((name) => name === text || (name.length >= 3 && text.startsWith(name) && text.length - name.length <= 12));
  };
  // The site's name ends the title, alone or before a short topic ("Headline - How To Node - NodeJS").
  for (const separator of separators.toReversed()) {
    if (separator.index > 0 && isSite(title.slice(separator.index + separator[0].length))) return title.slice(0, separator.index).trim();
  }
  // "BBC News - Headline": the site first.
  const first = separators[0]!;
  if (isSite(title.slice(0, first.index))) return title.slice(first.index + first[0].length).trim();
  return title;
}

/** The contents of every `<meta name=…>` of `name`, in document order. */
function metaContents(doc: PageDocument, name: string): string[] {
  return doc.metaElements.filter((el) => el.attribs.name?.trim().toLowerCase() === name && el.attribs.content?.trim()).map((el) => el.attribs.content!);
}

/** The publisher named by the page's main JSON-LD node, or an Organization/WebSite node. */
function ldPublisherName(doc: PageDocument): string | null {
  const main = mainLdNode(doc);
  const named = ldValue(main?.publisher, ['name']);
  if (named && !/^https?:/.test(named)) return named;
  for (const node of doc.jsonLd) {
    const type = String(node['@type'] ?? '');
    if (/^(NewsMediaOrganization|WebSite)$/.test(type) && typeof node.name === 'string') return node.name;
  }
  return null;
}

/** The name on the site's logo: the alt text of its first logo image ("Los Angeles Rams logo" -> "Los Angeles Rams"). */
function logoName(doc: PageDocument): string | null {
  let tried = 0;
  for (const img of selectAll(doc, 'img[alt]')) {
    if (++tried > 30) break;
    const { alt = '', src = '', class: cls = '' } = img.attribs;
    if (!/logo/i.test(alt) && !/logo/i.test(src) && !/logo/i.test(cls)) continue;
    const name = cleanText(alt.replace(/\b(site\s+)?logo(type)?\b/gi, '').replace(/[\s|:–—-]+$|^[\s|:–—-]+/g, ''), 100);
    if (name && name.split(/\s+/).length <= 5) return name;
  }
  return null;
}

function microdataPublisher(doc: PageDocument): string | null {
  const scope = selectFirst(doc, '[itemprop="publisher"]');
  const name = scope && selectFirst(doc, '[itemprop="name"]', scope);
  return name ? (name.attribs.content ?? (textOf(name) || null)) : null;
}

/** og:video, else twitter:player, as a framable embed. */
function playerEmbed(doc: PageDocument, pageUrl: URL, provider: string | null): LinkMetadataJson['embed'] {
  const m = (key: string) => doc.meta.get(key);
  const sources = [
    { type: 'video', url: m('og:video:secure_url') ?? m('og:video:url') ?? m('og:video'), prefix: 'og:video' },
    { type: 'player', url: m('twitter:player'), prefix: 'twitter:player' },
  ];
  for (const source of sources) {
    const url = absoluteUrl(source.url, pageUrl);
    if (!url) continue;
    const size = (dimension: string) => toInt(m(`${source.prefix}:${dimension}`));
    return { type: source.type, provider, url, html: null, width: size('width'), height: size('height') };
  }
  return null;
}

