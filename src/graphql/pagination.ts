import { type FeedCursor, decodeCursor, encodeCursor } from '../lib/feed-cursor.ts';
import { badInput } from '../lib/errors.ts';

interface ConnectionArgs {
  first?: number | null;
  after?: string | null;
  last?: number | null;
  before?: string | null;
}

/** Checks forward-only paging arguments: `first` (default and cap given) and an opaque `after`. */
export function forwardPage(args: ConnectionArgs, { defaultSize, maxSize }: { defaultSize: number; maxSize: number }) {
  if (args.last != null || args.before != null) throw badInput('pages forward only: use first and after', 'last');
  const first = args.first ?? defaultSize;
  if (first < 0 || first > maxSize) throw badInput(`first must be between 0 and ${maxSize}`, 'first');
  return { first, after: args.after ? decodeCursor(args.after) : null };
}

/** A Relay connection over one page of rows, newest first, keyed by (time, id). */
export function toConnection<T>(
  rows: T[],
  { hasNextPage, after }: { hasNextPage: boolean; after: FeedCursor | null },
  key: (row: T) => FeedCursor,
) {
  const edges = rows.map((node) => ({ cursor: encodeCursor(key(node)), node }));
  return {
    edges,
    pageInfo: {
      hasNextPage,
      hasPreviousPage: after !== null,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges.at(-1)?.cursor ?? null,
    },
  };
}
