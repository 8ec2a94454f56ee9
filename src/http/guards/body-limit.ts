import type { IncomingMessage, ServerResponse } from 'node:http';
import { refuseRequest } from './refusals.ts';

/**
 * Refuses a request body over the cap before Yoga reads it. POST must declare
 * its length (Node then refuses a body longer than declared), so a chunked
 * body cannot slip past the cap.
 */
export function rejectOversizedBody(req: IncomingMessage, res: ServerResponse, maxBytes: number): boolean {
  if (req.method !== 'POST') return false;
  const declared = req.headers['content-length'];
  if (declared === undefined) return refuseRequest(res, 411, 'BAD_USER_INPUT', 'Content-Length is required');
  if (Number(declared) > maxBytes) {
    return refuseRequest(res, 413, 'BAD_USER_INPUT', `Request body is larger than ${maxBytes} bytes`);
  }
  return false;
}
