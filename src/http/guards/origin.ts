/**
 * The one browser-origin rule for HTTP, SSE and the WebSocket handshake. A
 * request without an Origin header is not from a browser page (curl, servers,
 * native apps) and CORS cannot protect it anyway; a request with one is
 * admitted only from an allowed origin. `'*'` (development) admits any.
 */
export function originAllowed(origin: string | undefined, allowed: string[] | '*'): boolean {
  if (origin === undefined || allowed === '*') return true;
  return allowed.includes(origin);
}
