import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import type { LookupFunction } from 'node:net';
import { BlockedUrlError, isPublicAddress } from './url-policy.ts';

/**
 * A DNS lookup for outgoing connections that refuses a host if any of its
 * addresses is not public. It runs for every connection, redirects included,
 * on the very addresses the socket then dials, so DNS rebinding cannot slip
 * a private address in between check and use. (Connections to an allowed
 * `host[:port]` go through another agent, without it: the lookup is not told
 * the port, so it cannot tell `intranet:8443`, allowed, from `intranet:80`.)
 */
export function createSafeLookup(): LookupFunction {
  return (hostname, options, callback) => {
    dnsLookup(hostname, { ...options, all: true }, (err, addresses: LookupAddress[]) => {
      if (err) return callback(err, '', 0);
      const refused = addresses.find((a) => !isPublicAddress(a.address));
      if (refused) return callback(new BlockedUrlError(`${hostname} resolves to ${refused.address}, which is not public`), '', 0);
      if (options.all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, addresses);
      const first = addresses[0];
      if (!first) return callback(Object.assign(new Error(`no address for ${hostname}`), { code: 'ENOTFOUND' }), '', 0);
      callback(null, first.address, first.family);
    });
  };
}
