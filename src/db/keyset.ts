import { and, desc, eq, lt, or, type SQL } from 'drizzle-orm';
import type { PgColumn } from 'drizzle-orm/pg-core';
import type { FeedCursor } from '../lib/feed-cursor.ts';

/**
 * Newest-first keyset paging over (time, id): the rows after a cursor, the
 * order, and one row more than asked to tell whether another page follows.
 */
export function olderThan(time: PgColumn, id: PgColumn, after: FeedCursor | null): SQL | undefined {
  return after ? or(lt(time, after.createdAt), and(eq(time, after.createdAt), lt(id, after.id))) : undefined;
}

export const newestFirst = (time: PgColumn, id: PgColumn) => [desc(time), desc(id)] as const;

export function takePage<T>(rows: T[], first: number): { rows: T[]; hasNextPage: boolean } {
  return { rows: rows.slice(0, first), hasNextPage: rows.length > first };
}
