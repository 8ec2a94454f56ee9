const TRACKING = /^(utm_[a-z]+|fbclid|gclid|dclid|msclkid|mc_eid|igshid)$/i;

/**
 * The key two links share when they are "the same page" for the preview
 * cache: no fragment, no tracking parameters; host case and default ports are
 * already folded by the URL parser.
 */
export function normalizeUrl(raw: string): string {
  try {
    const url = new URL(raw);
    url.hash = '';
    for (const key of [...url.searchParams.keys()]) if (TRACKING.test(key)) url.searchParams.delete(key);
    url.search = url.searchParams.toString() ? `?${url.searchParams.toString()}` : '';
    return url.href;
  } catch {
    return raw;
  }
}

/**
 * A URL's host and port, as `URL.host`: what the per-host limit counts (the
 * fetch claims, and pg-boss's groups of link jobs).
 */
export function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}
