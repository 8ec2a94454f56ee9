import type { IncomingMessage, ServerResponse } from 'node:http';
import { AppError } from '../lib/errors.ts';
import { refuseRequest } from './guards/refusals.ts';

/** What serves a pull: the signed-in viewer's page of events (the webhooks module's). */
export type PullEvents = (
  viewerId: string | null,
  input: { topics: readonly string[]; after: string | null; limit: number },
) => Promise<{ events: unknown[]; next: string | null }>;

const STATUS: Record<string, number> = { FORBIDDEN: 403, BAD_USER_INPUT: 400, UNAUTHENTICATED: 401 };

export const isEventPull = (req: IncomingMessage) => req.method === 'GET' && (req.url === '/events' || req.url?.startsWith('/events?') === true);

/**
 * `GET /events?topics=a,b&after=<cursor>&limit=100` with an admin's bearer token: a page of events as JSON
 * (`{ events, next }`), `next` to pass as `after` for the following page. Errors in the GraphQL shape.
 */
export async function serveEventPull(req: IncomingMessage, res: ServerResponse, viewerId: string | null, pull: PullEvents): Promise<void> {
  const query = new URL(req.url ?? '/', 'http://plaza').searchParams;
  const topics = (query.get('topics') ?? '').split(',').map((t) => t.trim()).filter(Boolean);
  const limit = Number(query.get('limit') ?? 100);
  try {
    const page = await pull(viewerId, { topics, after: query.get('after'), limit });
    res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(JSON.stringify(page));
  } catch (err) {
    if (!(err instanceof AppError)) throw err;
    refuseRequest(res, viewerId === null ? 401 : (STATUS[err.code] ?? 400), viewerId === null ? 'UNAUTHENTICATED' : err.code, viewerId === null ? 'Sign in as an admin' : err.message);
  }
}
