import type { PageDocument } from './document.ts';
import { absoluteUrl } from './text.ts';

export interface PageIcons {
  /** The best icon the page itself declares, if any (an unsized one when `manifestUrl` is set: the manifest's wins). */
  icon: string | null;
  /** A web app manifest to read icons from when the page declares no sized icon. */
  manifestUrl: string | null;
}

/** The largest side named by a `sizes` attribute ("32x32 192x192" -> 192, "any" -> vector, large). */
export function iconSize(sizes: string | undefined): number {
  if (!sizes) return 0;
  if (/\bany\b/i.test(sizes)) return 1_000;
  let best = 0;
  for (const match of sizes.matchAll(/(\d+)x(\d+)/gi)) best = Math.max(best, Number(match[1]), Number(match[2]));
  return best;
}

/**
 * The site's best icon as the page declares it: an apple-touch-icon (180 px
 * by convention when unsized), else the largest sized icon; a manifest is
 * named when neither exists, and an unsized icon is the fallback before
 * `/favicon.ico` (which the caller checks).
 */
export function extractIcons(doc: PageDocument, pageUrl: URL): PageIcons {
  let best: { url: string; size: number } | null = null;
  let unsized: string | null = null;
  for (const { attribs } of doc.linkElements) {
    if (attribs.rel === undefined) continue;
    const rels = attribs.rel.toLowerCase().split(/\s+/);
    const url = absoluteUrl(attribs.href, pageUrl);
    if (!url) continue;
    let size: number;
    if (rels.includes('apple-touch-icon') || rels.includes('apple-touch-icon-precomposed')) size = iconSize(attribs.sizes) || 180;
    else if (rels.includes('icon')) size = iconSize(attribs.sizes);
    else continue;
    if (size === 0) unsized ??= url;
    else if (!best || size > best.size) best = { url, size };
  }
  const manifest = doc.links.find((l) => l.rel === 'manifest');
  const found = best as { url: string; size: number } | null;
  if (found) return { icon: found.url, manifestUrl: null };
  return { icon: unsized, manifestUrl: absoluteUrl(manifest?.href, pageUrl) };
}

/** The largest icon of a web app manifest, resolved against the manifest's URL. */
export function manifestIcon(manifest: unknown, manifestUrl: URL): string | null {
  const icons = (manifest as { icons?: unknown } | null)?.icons;
  if (!Array.isArray(icons)) return null;
  let best: { url: string; size: number } | null = null;
  for (const icon of icons as Array<{ src?: unknown; sizes?: unknown; purpose?: unknown }>) {
    const url = absoluteUrl(icon?.src, manifestUrl);
    if (!url || (typeof icon.purpose === 'string' && !/\bany\b/.test(icon.purpose) && icon.purpose.trim() !== '')) continue;
    const size = iconSize(typeof icon.sizes === 'string' ? icon.sizes : undefined);
    if (!best || size > best.size) best = { url, size };
  }
  return best?.url ?? null;
}
