import { type PageDocument, selectFirst, textOf } from './document.ts';
import { lettersOnly } from './text.ts';

/** Where sites print their tagline, under their name on every page (blog themes' `site-description`). */
const TAGLINE = '.tagline, .site-description, .slogan, #tagline, #site-description, #slogan, [class*="tagline" i], [class*="slogan" i], [class*="site-description" i]';

/**
 * Whether a declared description is only the site's tagline ("Learn the zen of coding in NodeJS." where the
 * header reads "The zen of coding in node.JS"): many sites declare it on every page, so it describes none of them.
 */
export function isSiteTagline(doc: PageDocument, description: string): boolean {
  const el = selectFirst(doc, TAGLINE);
  const tagline = el ? lettersOnly(textOf(el)) : '';
  if (tagline.length < 10) return false;
  const said = lettersOnly(description);
  return said.length <= tagline.length * 1.5 && (said.includes(tagline) || tagline.includes(said));
}
