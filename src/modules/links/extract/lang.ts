import { ldValue, type PageDocument } from './document.ts';

/**
 * The page's language as a lower-case BCP 47 primary subtag ("en-US" -> "en"):
 * JSON-LD `inLanguage`, then `og:locale`, meta tags, microdata `inLanguage`, then `<html lang>`.
 */
export function extractLang(doc: PageDocument, ld: Record<string, unknown> | null): string | null {
  const candidates: Array<() => unknown> = [
    () => ldValue(ld?.inLanguage, ['alternateName', 'name']),
    () => doc.meta.get('og:locale'),
    () => doc.meta.get('language'),
    () => doc.meta.get('dc.language'),
    () => doc.meta.get('dcterms.language'),
    () => doc.metaElements.find((el) => el.attribs['http-equiv']?.toLowerCase() === 'content-language')?.attribs.content,
    () => doc.metaElements.find((el) => el.attribs.itemprop === 'inLanguage')?.attribs.content,
    () => doc.htmlElement?.attribs.lang ?? doc.htmlElement?.attribs['xml:lang'],
  ];
  for (const candidate of candidates) {
    const lang = primarySubtag(candidate());
    if (lang) return lang;
  }
  return null;
}

/** "en-US", "en_GB", "EN" -> "en"; ISO 639-2 codes as their two-letter form ("eng", "fre" -> "en", "fr"); "English" and other non-tags -> null. */
export function primarySubtag(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  const match = /^\s*([a-z]{2,3})(?:[-_][a-z0-9]+)*\s*(?:,|$)/i.exec(value);
  if (!match) return null;
  const code = match[1]!.toLowerCase();
  if (code.length === 2) return code;
  try {
    // CLDR's aliases, as Intl knows them: "eng" -> "en"; a code with no two-letter form stays ("fil", "yue").
    return Intl.getCanonicalLocales(code)[0]!.split('-')[0]!;
  } catch {
    return code;
  }
}
