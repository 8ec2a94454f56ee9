import { sql } from 'drizzle-orm';
import type { Database } from '../../db/client.ts';
import { badInput, forbidden } from '../../lib/errors.ts';
import { encodeCursor } from '../../realtime/stream-cursor.ts';
import type { Admins } from '../users/admins.ts';
import { WEBHOOK_TOPICS } from './service.ts';

export const PULL_MAX = 500;

/** One pulled event: the same JSON a webhook is POSTed. */
export interface PulledEvent {
  id: string;
  topic: string;
  key: string;
  seq: number;
  cursor: string;
  occurredAt: string;
  data: unknown;
}

interface Position {
  xid: string;
  topic: string;
  key: string;
  seq: number;
}

const encode = (p: Position) => Buffer.from(`p1\n${p.xid}\n${p.topic}\n${p.key}\n${p.seq}`).toString('base64url');

function decode(cursor: string): Position {
  const [version, xid, topic, key, seq, extra] = Buffer.from(cursor, 'base64url').toString('utf8').split('\n');
  if (version !== 'p1' || extra !== undefined || !xid || !/^\d{1,20}$/.test(xid) || !topic || !key || !seq || !/^\d{1,15}$/.test(seq)) {
    throw badInput('after is not a cursor of GET /events', 'after');
  }
  return { xid, topic, key, seq: Number(seq) };
}

/**
 * GET /events for backends that pull: the events of `topics` after `after`,
 * a page at most, in an order that keeps each stream's, and the cursor to
 * continue from. Only events numbered by transactions older than every one
 * still running are given (the numbering's transaction id, compared with the
 * snapshot's xmin), so an event that commits later never lands behind a
 * cursor already handed out. Admins only.
 */
export function createEventPull({ db, admins }: { db: Database; admins: Admins }) {
  return async function pull(viewerId: string | null, input: { topics: readonly string[]; after: string | null; limit: number }) {
    if (!viewerId || !(await admins.isAdmin(viewerId))) throw forbidden('Only admins pull events');
    const topics = [...new Set(input.topics)];
    if (topics.length === 0) throw badInput('topics must name at least one topic', 'topics');
    const unknown = topics.find((t) => !(WEBHOOK_TOPICS as readonly string[]).includes(t));
    if (unknown) throw badInput(`unknown topic; topics are ${WEBHOOK_TOPICS.join(', ')}`, 'topics');
    if (!Number.isSafeInteger(input.limit) || input.limit < 1 || input.limit > PULL_MAX) throw badInput(`limit must be between 1 and ${PULL_MAX}`, 'limit');
    const after = input.after ? decode(input.after) : null;
    const result = await db.execute<{ topic: string; key: string; seq: string; payload: unknown; created_at: string; xid: string }>(sql`
      select topic, key, seq, payload, created_at, numbered_xid::text as xid from events
      where topic = any(${sql.param(topics)}::text[]) and numbered_xid is not null
        and numbered_xid < pg_snapshot_xmin(pg_current_snapshot())
        ${after ? sql`and (numbered_xid, topic, key, seq) > (${after.xid}::xid8, ${after.topic}, ${after.key}, ${after.seq})` : sql``}
      order by numbered_xid, topic, key, seq
      limit ${input.limit}`);
    const events: PulledEvent[] = result.rows.map((r) => ({
      id: `${r.topic}/${r.key}/${r.seq}`,
      topic: r.topic,
      key: r.key,
      seq: Number(r.seq),
      cursor: encodeCursor({ topic: r.topic, key: r.key, seq: Number(r.seq) }),
      occurredAt: new Date(r.created_at).toISOString(),
      data: r.payload,
    }));
    const last = result.rows.at(-1);
    return { events, next: last ? encode({ xid: last.xid, topic: last.topic, key: last.key, seq: Number(last.seq) }) : (input.after ?? null) };
  };
}

export type EventPull = ReturnType<typeof createEventPull>;
