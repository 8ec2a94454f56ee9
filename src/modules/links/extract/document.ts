import { type CheerioAPI, load } from 'cheerio';

/** What the fallbacks read from a page, gathered in one pass over its markup. */
export interface PageDocument {
  $: CheerioAPI;
  /** meta name/property/itemprop (lower case) -> first non-empty content */
  meta: Map<string, string>;
  /** JSON-LD nodes, @graph flattened */
  jsonLd: Array<Record<string, unknown>>;
  /** link rel (lower case) -> hrefs with their type */
  links: Array<{ rel: string; href: string; type: string }>;
}

export function readDocument(html: string): PageDocument {
  const $ = load(html, { xml: { xmlMode: false, decodeEntities: true } });
  const meta = new Map<string, string>();
  $('meta').each((_, el) => {
    const key = ($(el).attr('property') ?? $(el).attr('name') ?? $(el).attr('itemprop') ?? '').trim().toLowerCase();
    const content = $(el).attr('content') ?? $(el).attr('value');
    if (key && content?.trim() && !meta.has(key)) meta.set(key, content);
  });
  const links: PageDocument['links'] = [];
  $('link[href]').each((_, el) => {
    const rel = ($(el).attr('rel') ?? '').toLowerCase();
    for (const r of rel.split(/\s+/).filter(Boolean)) {
      links.push({ rel: r, href: $(el).attr('href') ?? '', type: ($(el).attr('type') ?? '').toLowerCase() });
    }
  });
  const jsonLd: PageDocument['jsonLd'] = [];
  $('script[type="application/ld+json"]').each((_, el) => {
    try {
      collect(JSON.parse($(el).text().trim()), jsonLd);
    } catch {
      // Broken JSON-LD is common; the other sources still count.
    }
  });
  return { $, meta, jsonLd, links };
}

function collect(value: unknown, into: Array<Record<string, unknown>>): void {
  if (Array.isArray(value)) {
    for (const item of value) collect(item, into);
  } else if (value && typeof value === 'object') {
    const node = value as Record<string, unknown>;
    into.push(node);
    if (node['@graph']) collect(node['@graph'], into);
  }
}

/** The value of a JSON-LD property: a string, or a node's name/url/@id, or the first of a list. */
export function ldValue(value: unknown, keys = ['name', 'url', '@id']): string | null {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return ldValue(value[0], keys);
  if (value && typeof value === 'object') {
    for (const key of keys) {
      const inner = (value as Record<string, unknown>)[key];
      if (typeof inner === 'string') return inner;
      if (Array.isArray(inner) && typeof inner[0] === 'string') return inner[0];
    }
  }
  return null;
}

const ARTICLE_TYPES = /Article|BlogPosting|Report|NewsArticle|WebPage|VideoObject|Product|Recipe|Event|PodcastEpisode|CreativeWork/i;

/** The JSON-LD node that describes the page itself (an article, video, product…), if any. */
export function mainLdNode(doc: PageDocument): Record<string, unknown> | null {
  const typed = doc.jsonLd.filter((n) => {
    const type = n['@type'];
    const name = Array.isArray(type) ? type.join(' ') : String(type ?? '');
    return ARTICLE_TYPES.test(name);
  });
  return typed.find((n) => n.headline || n.name) ?? typed[0] ?? null;
}
