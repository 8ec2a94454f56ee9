import { z } from 'zod';
import { int, section } from '../section.ts';

/** What one client may make the server hold; 0 turns a cap off. */
export const limits = section(
  {
    MAX_CONNECTIONS: int(0).default(10_000).describe('Open WebSockets and SSE streams this instance accepts; 503 at the handshake above it'),
    MAX_CONNECTIONS_PER_USER: int(0).default(20).describe('WebSockets and SSE streams one user may hold across the cluster'),
    MAX_SUBSCRIPTIONS_PER_CONNECTION: int(0).default(100).describe('Operations one WebSocket may run at once (subscriptions included)'),
    MAX_VIEWER_SUBSCRIPTIONS_PER_CONNECTION: int(0).default(10).describe('Distinct viewer-dependent subscriptions one WebSocket may hold (identical ones share)'),
    MAX_BUFFERED_BYTES_PER_CONNECTION: int(0).default(1_048_576).describe('Bytes a connection may leave unsent before it is dropped as a slow consumer'),
    SLOW_CONSUMER_SECONDS: z.coerce.number().min(0).default(15).describe("Seconds a connection's output may stay stuck before it is dropped; 0 = never"),
    MAX_QUEUED_EVENTS_PER_SUBSCRIPTION: int(10).default(1_000).describe('Events one subscription may have waiting for a slow reader before it ends with SLOW_CONSUMER'),
    OPERATION_TIMEOUT_MS: int(0).default(10_000).describe('Deadline for one query or mutation in ms (TIMEOUT); 0 = none'),
    DOCUMENT_CACHE_BYTES: int(0).default(32 * 1_048_576).describe('Bytes of parsed documents kept in the parse/validation cache'),
    MAX_RESPONSE_BYTES: int(0).default(4 * 1_048_576).describe('Largest answer to one query or mutation in bytes; past it the answer is RESPONSE_TOO_LARGE'),
    REPLAY_CACHE_BYTES: int(0).default(32 * 1_048_576).describe('Bytes of events kept in memory for subscriptions resuming from a cursor (shared replay pages)'),
  },
  { derive: ({ slowConsumerSeconds, ...rest }) => ({ ...rest, slowConsumerMs: slowConsumerSeconds * 1000 }) },
);
