import { getDomainWithoutSuffix } from 'tldts';
import { cleanText, lettersOnly } from './text.ts';

/**
 * A site's display name: trimmed, without a "| Home"-style tail or a leading "www.", as the site
 * declares it otherwise ("Boston.com" is that site's name), and its host name when nothing better
 * exists ("www.techcrunch.com" -> "techcrunch.com", "blog.example.me" as it is: the registrable
 * label alone, "example", names nothing a reader would recognise).
 */
export function normaliseSiteName(raw: string | null, pageUrl: URL): string | null {
  const name = brandOf(cleanText(raw, 100))
    ?.replace(/\s*[|–—-]\s*(home|homepage|official site)$/i, '')
    .replace(/\s*\((formerly|previously) [^)]*\)$/i, '')
    .replace(/^www\./i, '')
    .trim();
  if (name) return name;
  return pageUrl.hostname.replace(/^www\./i, '') || null;
}

/** A company's legal form after its name: "Example Media, Inc." is "Example Media". */
const LEGAL_FORM = /,?\s+(inc|llc|l\.l\.c|ltd|limited|plc|gmbh|ag|s\.?a\.?|s\.?l\.?|s\.?r\.?l\.?|b\.?v\.?|corp|corporation|co)\.?$/i;

/**
 * The brand in a declared name: without a legal form, and the name alone when the declaration is a
 * tagline ("Example - News for Everyone", "Example | Your Daily Dose of Tech") or a name in apposition
 * ("Wikipedia, the free encyclopedia").
 */
function brandOf(name: string | null): string | null {
  if (!name) return null;
  let brand = name.replace(LEGAL_FORM, '');
  const parts = brand.split(/\s+[|–—:-]\s+|,\s+(?=(?:the|a|an)\s)/i);
  // A tagline: a short name, then several words.
  if (parts.length === 2 && words(parts[0]!) <= 3 && words(parts[1]!) >= 3) brand = parts[0]!;
  return brand.trim() || name;
}

const words = (text: string) => text.trim().split(/\s+/).length;

/**
 * The site's name from its host, by the Public Suffix List: "edition.cnn.com" -> "cnn",
 * "news.bbc.co.uk" -> "bbc", "jane.github.io" -> "jane" (a private suffix is a suffix too).
 */
export function siteNameFromHost(url: URL): string | null {
  return getDomainWithoutSuffix(url.hostname, { allowPrivateDomains: true }) || null;
}

/**
 * The site part of a "Headline | Site" or "Site - Headline" title, when the title has one: the end that
 * names the host ("BBC News - Dinosaur teeth…" on bbc.co.uk), else the last segment when it is short
 * enough to be a name rather than a headline.
 */
export function siteFromTitle(title: string | null, pageUrl?: URL): string | null {
  if (!title) return null;
  const parts = title.split(/\s+[|–—·»-]\s+/).map((part) => part.trim());
  if (parts.length < 2) return null;
  const [first, last] = [parts[0]!, parts.at(-1)!];
  const host = pageUrl ? siteNameFromHost(pageUrl) : null;
  if (host && lettersOnly(host).length >= 3) {
    // Either end, else a segment between ("Headline - How To Node - NodeJS" on howtonode.org: the last is a topic).
    const named = [last, first, ...parts.slice(1, -1)].find((part) => lettersOnly(part).includes(lettersOnly(host)) && words(part) <= 5);
    if (named) return named;
  }
  return last.length > 0 && last.length <= 40 ? last : null;
}
