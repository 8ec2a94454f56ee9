import type { Element } from 'domhandler';
import { type PageDocument, selectAll, textOf } from './document.ts';
import { insideOne, named } from './ancestors.ts';
import { cleanText } from './text.ts';

/** How many paragraphs are read before giving up: a page's prose starts long before that. */
const PARAGRAPHS_READ = 200;

/**
 * The page's first paragraph of prose, not in the page's navigation, header, footer, asides, captions or
 * legal notices, not mostly links (several: a list of related stories), not a cookie or subscription
 * notice: the first of at least 80 characters, else (a page of short paragraphs, a manual's example) the
 * first whole sentence of at least six words ("A trivial example that creates a new puts by binding fputs
 * with stdout.").
 */
export function firstParagraph(doc: PageDocument): string | null {
  let read = 0;
  let sentence: string | null = null;
  for (const el of selectAll(doc, 'p')) {
    if (++read > PARAGRAPHS_READ) break;
    if (insideChrome(el)) continue;
    const whole = textOf(el);
    // Without reference marks ("[2]", "[citation needed]").
    const text = cleanText(whole.replace(/\[(\d+|[a-z ]{3,30})\]/gi, ''));
    if (!text || NOTICE.test(text)) continue;
    const long = text.length >= 80;
    if (!long && (sentence !== null || !isSentence(text))) continue;
    if (mostlyLinks(doc, el, whole, text)) continue;
    if (long) return text;
    sentence = text;
  }
  return sentence;
}

/**
 * A paragraph of links (a list of related stories), not prose: most of its text in two links or more — unless
 * what is left is a sentence's own words around linked terms (an encyclopedia's opening, "Go is a [compiled],
 * [garbage-collected], [concurrent] [programming language] developed by [Google]."): four words or more outside
 * the links, a full stop at the end, and links short of nearly all the text.
 */
function mostlyLinks(doc: PageDocument, el: Element, whole: string, text: string): boolean {
  const links = [...selectAll(doc, 'a', el)].map(textOf);
  if (links.length < 2) return false;
  const linked = links.reduce((sum, link) => sum + link.length, 0);
  if (linked <= whole.length * 0.5) return false;
  if (linked > whole.length * 0.8 || !/[.!?]$/.test(text)) return true;
  let unlinked = whole;
  for (const link of links) unlinked = unlinked.replace(link, ' ');
  return (unlinked.match(/\p{L}{2,}/gu) ?? []).length < 4;
}

/** A sentence: a capital first, a full stop (or ! or ?) last, six words or more. */
const isSentence = (text: string) => text.length >= 40 && /^\p{Lu}/u.test(text) && /[.!?]$/.test(text) && text.split(/\s+/).length >= 6;

const NOTICE = /\b(cookies?|javascript (is )?(disabled|required)|subscribe to|sign up for our|newsletter|all rights reserved|permission is granted to copy)\b/i;
const CHROME_TAGS = new Set(['nav', 'footer', 'aside', 'figcaption', 'form', 'menu']);
const CHROME_CLASS =
  /(^|[\s_-])(nav|menu|breadcrumbs?|footer|sidebar|caption|cookie|promo|related|share|social|comments?|legalnotice|copyright|license|disclaimer)([\s_-]|$)/i;

/** Whether a paragraph stands in the page's chrome. */
const insideChrome = (el: Element) => insideOne(el, named(CHROME_TAGS, CHROME_CLASS));
