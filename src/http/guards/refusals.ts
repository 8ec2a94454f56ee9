import type { ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';

/**
 * Answers a request refused before GraphQL runs, in the GraphQL-over-HTTP
 * error shape so clients read one format: `{ errors: [{ message, extensions: { code } }] }`.
 */
export function refuseRequest(
  res: ServerResponse,
  status: number,
  code: string,
  message: string,
  headers: Record<string, string> = {},
): true {
  res.writeHead(status, { 'content-type': 'application/json', connection: 'close', ...headers });
  res.end(JSON.stringify({ errors: [{ message, extensions: { code } }] }));
  return true;
}

/** Refuses a WebSocket upgrade with a plain HTTP status. */
export function refuseUpgrade(socket: Duplex, status: number, text: string): void {
  socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}
