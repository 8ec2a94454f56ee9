import { badInput } from './errors.ts';
import { isUuid } from './validate.ts';

export interface FeedCursor {
  createdAt: Date;
  id: string;
}

/** Opaque to clients: base64url of "<epoch ms>:<row id>", for newest-first keyset paging. */
export function encodeCursor({ createdAt, id }: FeedCursor): string {
  return Buffer.from(`${createdAt.getTime()}:${id}`).toString('base64url');
}

export function decodeCursor(cursor: string): FeedCursor {
  const [ms, id] = Buffer.from(cursor, 'base64url').toString('utf8').split(':');
  const time = Number(ms);
  if (!id || !isUuid(id) || !Number.isSafeInteger(time)) throw badInput('after is not a valid cursor', 'after');
  return { createdAt: new Date(time), id };
}
