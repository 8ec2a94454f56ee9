import type { IncomingMessage } from 'node:http';

/**
 * The client's address. Behind `trustedHops` proxies, each of which appends
 * the address it received the request from to X-Forwarded-For, the client is
 * the entry that many places from the right; anything further left was written
 * by the client itself and proves nothing.
 */
export function clientIp(request: IncomingMessage, trustedHops: number): string {
  const direct = request.socket.remoteAddress ?? 'unknown';
  if (trustedHops === 0) return direct;
  const header = request.headers['x-forwarded-for'];
  const chain = (Array.isArray(header) ? header.join(',') : (header ?? ''))
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean);
  return chain[chain.length - trustedHops] ?? chain[0] ?? direct;
}
