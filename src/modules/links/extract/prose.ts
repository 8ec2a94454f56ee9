import type { Element } from 'domhandler';
import { type PageDocument, selectAll, textOf } from './document.ts';
import { cleanText } from './text.ts';

/**
 * The page's first paragraph of prose: at least 80 characters, not in the page's navigation, header,
 * footer, asides or captions, not mostly links (several: a list of related stories), not a cookie or
 * subscription notice.
 */
export function firstParagraph(doc: PageDocument): string | null {
  for (const el of selectAll(doc, 'p')) {
    if (insideChrome(el)) continue;
    const whole = textOf(el);
    // Without reference marks ("[2]", "[citation needed]").
    const text = cleanText(whole.replace(/\[(\d+|[a-z ]{3,30})\]/gi, ''));
    if (!text || text.length < 80 || NOTICE.test(text)) continue;
    const links = [...selectAll(doc, 'a', el)];
    if (links.length >= 2 && links.reduce((sum, a) => sum + textOf(a).length, 0) > whole.length * 0.5) continue;
    return text;
  }
  return null;
}

const NOTICE = /\b(cookies?|javascript (is )?(disabled|required)|subscribe to|sign up for our|newsletter|all rights reserved)\b/i;
const CHROME_TAGS = new Set(['nav', 'footer', 'aside', 'figcaption', 'form', 'menu']);
const CHROME_CLASS = /(^|[\s_-])(nav|menu|breadcrumbs?|footer|sidebar|caption|cookie|promo|related|share|social|comments?)([\s_-]|$)/i;

function insideChrome(el: Element): boolean {
  for (let node: Element | null = el.parent as Element | null; node && node.type === 'tag'; node = node.parent as Element | null) {
    if (CHROME_TAGS.has(node.name) || CHROME_CLASS.test(node.attribs.class ?? '') || CHROME_CLASS.test(node.attribs.id ?? '')) return true;
  }
  return false;
}
