import type { IncomingMessage } from 'node:http';
import ipaddr from 'ipaddr.js';

/**
 * The client's address as every per-address limit counts it. Behind
 * `trustedHops` proxies, each of which appends the address it received the
 * request from to X-Forwarded-For, the client is the entry that many places
 * from the right; anything further left was written by the client itself and
 * proves nothing. An IPv6 client is its /64 (`2001:db8:1:2::/64`): one
 * subscriber line holds a whole /64, and counting each of its 2^64
 * addresses apart would let one client through as a crowd.
 */
export function clientIp(request: IncomingMessage, trustedHops: number): string {
  const direct = request.socket.remoteAddress ?? 'unknown';
  if (trustedHops === 0) return addressKey(direct);
  const header = request.headers['x-forwarded-for'];
  const chain = (Array.isArray(header) ? header.join(',') : (header ?? ''))
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean);
  return addressKey(chain[chain.length - trustedHops] ?? chain[0] ?? direct);
}

/** An IPv4 address as it is (also when written IPv4-mapped, `::ffff:1.2.3.4`); an IPv6 one as its /64; anything else as it came. */
export function addressKey(address: string): string {
  if (!ipaddr.isValid(address)) return address;
  const parsed = ipaddr.process(address);
  if (parsed.kind() === 'ipv4') return parsed.toString();
  const parts = (parsed as ipaddr.IPv6).parts.slice(0, 4).map((part) => part.toString(16));
  return `${parts.join(':')}::/64`;
}
