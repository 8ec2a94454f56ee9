import { type CheerioAPI, load } from 'cheerio';
import { compile } from 'css-select';
import { type AnyNode, type Element, hasChildren, isTag } from 'domhandler';
import { textContent } from 'domutils';

/** What the fallbacks read from a page, gathered in one pass over its markup. */
export interface PageDocument {
  $: CheerioAPI;
  /** meta name/property/itemprop (lower case) -> first non-empty content */
  meta: Map<string, string>;
  /** JSON-LD nodes, @graph flattened */
  jsonLd: Array<Record<string, unknown>>;
  /** link rel (lower case) -> hrefs with their type */
  links: Array<{ rel: string; href: string; type: string }>;
  /** The page's `<meta>` elements, in document order. */
  metaElements: Element[];
  /** Its `<link>` elements with an `href`, in document order. */
  linkElements: Element[];
  /** Its `<title>` elements, in document order (the first inside `<head>` is the page's). */
  titleElements: Element[];
  /** Its first `<html>` element. */
  htmlElement: Element | null;
  /** Every element of the page, in document order: what the selector queries below walk. */
  elements: Element[];
}

export function readDocument(html: string): PageDocument {
  const $ = load(html, { xml: { xmlMode: false, decodeEntities: true } });
  const meta = new Map<string, string>();
  const links: PageDocument['links'] = [];
  const jsonLd: PageDocument['jsonLd'] = [];
  const metaElements: Element[] = [];
  const linkElements: Element[] = [];
  const titleElements: Element[] = [];
  let htmlElement: Element | null = null;
  const elements = descendants($.root()[0]!);
  // One pass over the list gathers what the head holds: meta, link[href], JSON-LD scripts, title, html.
  for (const el of elements) {
    const attrs = el.attribs;
    if (el.name === 'meta') {
      metaElements.push(el);
      const key = (attrs.property ?? attrs.name ?? attrs.itemprop ?? '').trim().toLowerCase();
      const content = attrs.content ?? attrs.value;
      if (key && content?.trim() && !meta.has(key)) meta.set(key, content);
    } else if (el.name === 'link') {
      if (attrs.href === undefined) continue;
      linkElements.push(el);
      for (const rel of (attrs.rel ?? '').toLowerCase().split(/\s+/).filter(Boolean)) {
        links.push({ rel, href: attrs.href, type: (attrs.type ?? '').toLowerCase() });
      }
    } else if (el.name === 'title') {
      titleElements.push(el);
    } else if (el.name === 'html') {
      htmlElement ??= el;
    } else if (el.name === 'script' && attrs.type?.toLowerCase() === 'application/ld+json') {
      try {
        collect(JSON.parse(textContent(el).trim()), jsonLd);
      } catch {
        // Broken JSON-LD is common; the other sources still count.
      }
    }
  }
  return { $, meta, jsonLd, links, metaElements, linkElements, titleElements, htmlElement, elements };
}

/**
 * The elements under `root`, in document order. Recursive: the page handed
 * to the parser nests at most about 1,000 deep (nesting.ts cuts it there), well
 * within the stack.
 */
function descendants(root: AnyNode): Element[] {
  const found: Element[] = [];
  const walk = (node: AnyNode) => {
    if (!hasChildren(node)) return;
    for (const child of node.children) {
      if (isTag(child)) found.push(child);
      walk(child);
    }
  };
  walk(root);
  return found;
}

/** Selectors compiled once per process: the fallbacks ask the same few of every page. */
const compiled = new Map<string, (el: Element) => boolean>();

function matcher(selector: string): (el: Element) => boolean {
  let test = compiled.get(selector);
  if (!test) {
    test = compile<AnyNode, Element>(selector, { xmlMode: false }) as (el: Element) => boolean;
    compiled.set(selector, test);
  }
  return test;
}

/**
 * The elements matching a CSS selector, in document order, lazily: a caller
 * that wants the first stops the walk there. `within`: only that element's
 * descendants.
 */
export function* selectAll(doc: PageDocument, selector: string, within?: Element): Generator<Element> {
  const test = matcher(selector);
  for (const el of within ? descendants(within) : doc.elements) if (test(el)) yield el;
}

/** The first element matching a CSS selector, in document order. */
export function selectFirst(doc: PageDocument, selector: string, within?: Element): Element | undefined {
  for (const el of selectAll(doc, selector, within)) return el;
  return undefined;
}

/** An element's text, as cheerio's `.text()` reads it. */
export const textOf = (el: Element | undefined): string => (el ? textContent(el) : '');

/** The page's `<title>` text: the first inside `<head>`, else (empty or none there) the first anywhere. */
export function pageTitle(doc: PageDocument): string {
  const inHead = doc.titleElements.find((el) => {
    for (let up = el.parent; up; up = up.parent) if ('name' in up && up.name === 'head') return true;
    return false;
  });
  return (inHead && textOf(inHead)) || textOf(doc.titleElements[0]);
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
