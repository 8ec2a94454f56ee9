import type { Element } from 'domhandler';
import { insideOne, named } from './ancestors.ts';
import { type PageDocument, selectAll } from './document.ts';
import { absoluteUrl } from './text.ts';

const NOT_AN_IMAGE = /\.(mp4|webm|mov|m3u8|mp3|m4a|ogg|wav)(\?|$)/i;
/** Ad servers and counters: what they answer is an ad or a 1×1 pixel, never the page's picture. */
const AD_OR_TRACKER = /^https?:\/\/([^/]+\.)?(doubleclick\.net|googlesyndication\.com|googleadservices\.com|adnxs\.com|2mdn\.net|quantserve\.com|scorecardresearch\.com|qnsr\.com|atdmt\.com|adsrvr\.org|moatads\.com|imrworldwide\.com|adtechus\.com)\/|^https?:\/\/(ads?|adserver|adserv|adsrv|banners?)\d*\.[^/]+\/|\/(adserv|adserver|adview|adclick)\b|\/(pixel|spacer|blank|transparent|1x1|clear)\.(gif|png)(\?|$)/i;

/** An image URL of the page, absolute; null for media that is not an image, or an ad server's or a counter's. */
export function imageUrl(candidate: string | null | undefined, pageUrl: URL): string | null {
  const url = absoluteUrl(candidate, pageUrl);
  return url && !NOT_AN_IMAGE.test(url) && !AD_OR_TRACKER.test(url) ? url : null;
}

/** The first image of the page's content that can stand for it: not inline data, tiny, or the site's chrome. */
export function firstContentImage(doc: PageDocument, pageUrl: URL): string | null {
  for (const el of selectAll(doc, 'img[src]')) {
    const found = pagePicture(el, pageUrl);
    if (found) return found;
  }
  return null;
}

/** Folders sites keep their chrome's pictures in: icons, buttons, avatars, rating stars, a manual's callout marks. */
const CHROME_FOLDER = /\/(icons?|buttons?|avatars?|default_avatar|callouts|emoji|emoticons|smilies|rater|ratings?|badges?|flags|sprites?|logos?|header|nav)\//i;
/** Where a page keeps its chrome: the site's header, navigation, footer and asides. */
const CHROME_TAGS = new Set(['nav', 'footer', 'aside', 'menu']);
/** Whole class names or ids, not parts of one: "blq-int-nav" on a page's outer container says nothing of its pictures. */
const CHROME_PART = /(^|\s)(masthead|nav|navbar|navigation|menu|footer|sidebar|site-header|page-header|site-footer|site-nav|main-nav|global-nav)(\s|$)/i;

/** One `<img>` as the page's picture: its absolute URL, or null for inline data, a tiny image or the site's chrome. */
function pagePicture(el: Element, pageUrl: URL): string | null {
  const src = el.attribs.src;
  const width = Number(el.attribs.width ?? 0);
  const height = Number(el.attribs.height ?? 0);
  if (!src || src.startsWith('data:') || (width > 0 && width < 100) || (height > 0 && height < 50)) return null;
  // The site's chrome, not the page's picture: by its file's name or folder, its alt text ("Logo"), or where it stands.
  const path = src.split('?')[0]!;
  if (/(logo|sprite|icon|avatar|badge|button|banner)[^/]*$/i.test(path) || CHROME_FOLDER.test(path)) return null;
  if (/\blogo\b/i.test(el.attribs.alt ?? '') || inChrome(el)) return null;
  return imageUrl(src, pageUrl);
}

/** Whether a picture stands in the site's navigation, footer, an aside or the site's header block. */
const inChrome = (el: Element) => insideOne(el, named(CHROME_TAGS, CHROME_PART));

/** A site's own image declared for every page (its logo, a placeholder), rather than this page's picture. */
export function isSiteImage(url: string): boolean {
  return /(^|[/_.-])(logo|logotype|placeholder|default|no-?image|sprite)([_.-]|\d|$)[^/]*$/i.test(url.split(/[?#]/)[0]!);
}

/**
 * The article's lead picture, when there is clear evidence of one: an image in its article or main element,
 * not the site's own, that says it is at least 200 px wide (a spacer or an icon there says less, or nothing).
 */
export function leadImage(doc: PageDocument, pageUrl: URL): string | null {
  let tried = 0;
  for (const img of selectAll(doc, 'article img[src], main img[src], [itemprop="articleBody"] img[src]')) {
    if (++tried > 10) break;
    if (Number(img.attribs.width ?? 0) < 200) continue;
    const found = pagePicture(img, pageUrl);
    if (found && !isSiteImage(found)) return found;
  }
  return null;
}
