import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * Refuses a request body over the cap before Yoga reads it. POST must declare
 * its length (Node then refuses a body longer than declared), so a chunked
 * body cannot slip past the cap.
 */
export function rejectOversizedBody(req: IncomingMessage, res: ServerResponse, maxBytes: number): boolean {
  if (req.method !== 'POST') return false;
  const declared = req.headers['content-length'];
  if (declared === undefined) return refuse(res, 411, 'Content-Length is required');
  if (Number(declared) > maxBytes) return refuse(res, 413, `Request body is larger than ${maxBytes} bytes`);
  return false;
}

function refuse(res: ServerResponse, status: number, message: string): true {
  res.writeHead(status, { 'content-type': 'application/json', connection: 'close' });
  res.end(JSON.stringify({ errors: [{ message, extensions: { code: 'BAD_USER_INPUT' } }] }));
  return true;
}
