import { badInput } from '../lib/errors.ts';

/**
 * A subscription cursor: where in one (topic, key) stream an event sits.
 * Opaque to clients (base64url); it names its stream so a cursor cannot be
 * replayed against another.
 */
export interface StreamPosition {
  topic: string;
  key: string;
  seq: number;
}

const VERSION = 'c1';

export function encodeCursor({ topic, key, seq }: StreamPosition): string {
  return Buffer.from(`${VERSION}\n${topic}\n${key}\n${seq}`).toString('base64url');
}

/** The position a cursor names, or null when it is not one of ours. */
export function decodeCursor(cursor: string): StreamPosition | null {
  if (cursor.length > 512) return null;
  const [version, topic, key, seq, extra] = Buffer.from(cursor, 'base64url').toString('utf8').split('\n');
  if (version !== VERSION || extra !== undefined || !topic || !key || !seq || !/^\d{1,15}$/.test(seq)) return null;
  return { topic, key, seq: Number(seq) };
}

/**
 * The sequence number to resume after, from a client's `after` cursor for
 * this stream; null without one. BAD_USER_INPUT for a cursor that is not
 * ours or names another stream (another topic, section, channel or user).
 */
export function resumeAfter(cursor: string | null | undefined, topic: string, key: string): number | null {
  if (cursor === null || cursor === undefined) return null;
  const position = decodeCursor(cursor);
  if (!position) throw badInput('after is not a cursor of this API', 'after');
  if (position.topic !== topic || position.key !== key) throw badInput('after is a cursor of another subscription', 'after');
  return position.seq;
}
