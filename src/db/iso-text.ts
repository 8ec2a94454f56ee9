import { sql } from 'drizzle-orm';

/** A timestamptz column (or expression) as the text JavaScript's toISOString writes (UTC, milliseconds, `Z`): for JSON built in SQL. */
export const isoText = (column: unknown) => sql`to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
