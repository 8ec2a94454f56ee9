import ipaddr from 'ipaddr.js';
import { MAX_URL_LENGTH } from '../../../lib/validate.ts';

/** Why a URL may not be fetched; becomes the link's BLOCKED error. */
export class BlockedUrlError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BlockedUrlError';
  }
}

/** Hosts (optionally with a port) that may be fetched even on private addresses: `host` or `host:port`. */
export interface AllowList {
  /** Whether `hostname` may be fetched on `port` (the one dialled: 80 or 443 where the URL names none). */
  has(hostname: string, port: string): boolean;
}

/** `host` (any port) or `host:port` (that port only); an IPv6 address in brackets. */
export function parseAllowList(entries: readonly string[]): AllowList {
  const parsed = entries.map((entry) => {
    const [, host = entry, port] = /^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(entry.trim()) ?? [];
    return { host: normaliseHost(new URL(`http://${host}`).hostname), port: port ? String(Number(port)) : null };
  });
  return {
    has: (hostname, port) => parsed.some((e) => e.host === normaliseHost(hostname) && (e.port === null || e.port === port)),
  };
}

/** The port a URL dials: its own, or its scheme's. */
export const portOf = (url: URL): string => url.port || DEFAULT_PORTS[url.protocol] || '';

const normaliseHost = (host: string) => host.replace(/^\[|\]$/g, '').toLowerCase();

/**
 * True only for globally routable unicast addresses: private, loopback,
 * link-local, CGNAT, multicast, unspecified, reserved and every IPv6 form
 * that embeds an IPv4 address (mapped, compatible, NAT64, 6to4, Teredo) are not.
 */
export function isPublicAddress(ip: string): boolean {
  if (!ipaddr.isValid(ip)) return false;
  const address = ipaddr.parse(ip);
  if (address.kind() === 'ipv6') {
    const v6 = address as ipaddr.IPv6;
    if (v6.parts.slice(0, 6).every((part) => part === 0)) return false; // ::/96, IPv4-compatible
    return v6.range() === 'unicast';
  }
  return address.range() === 'unicast';
}

const DEFAULT_PORTS: Record<string, string> = { 'http:': '80', 'https:': '443' };

/**
 * Checks a URL before any byte leaves: http(s) only, ports 80/443, no
 * credentials, at most 2,048 characters, and an IP literal (in any notation
 * the URL parser understands) must be public. Hostnames are checked again at
 * connect time, on the address actually dialled.
 */
export function checkUrl(raw: string | URL, allow: AllowList): URL {
  const text = String(raw);
  if (text.length > MAX_URL_LENGTH) throw new BlockedUrlError(`URL is longer than ${MAX_URL_LENGTH} characters`);
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new BlockedUrlError('not an absolute URL');
  }
  if (!(url.protocol in DEFAULT_PORTS)) throw new BlockedUrlError(`scheme ${url.protocol} is not allowed`);
  if (url.username || url.password) throw new BlockedUrlError('URLs with credentials are not fetched');
  const host = normaliseHost(url.hostname);
  const port = portOf(url);
  if (allow.has(host, port)) return url;
  if (port !== '80' && port !== '443') throw new BlockedUrlError(`port ${port} is not allowed`);
  if (ipaddr.isValid(host) && !isPublicAddress(host)) throw new BlockedUrlError(`address ${host} is not public`);
  return url;
}
