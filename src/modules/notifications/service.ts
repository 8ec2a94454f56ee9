import { and, count, desc, eq, inArray, isNull, lt, or, type SQL, sql } from 'drizzle-orm';
import { isoText } from '../../db/iso-text.ts';
import { commitWithoutFlush } from '../../db/async-commit.ts';
import type { Database, Executor } from '../../db/client.ts';
import { badInput } from '../../lib/errors.ts';
import type { FeedCursor } from '../../lib/feed-cursor.ts';
import { isUuid } from '../../lib/validate.ts';
import type { Outbox } from '../../realtime/outbox.ts';
import { resumeAfter } from '../../realtime/stream-cursor.ts';
import type { Streams } from '../../realtime/streams.ts';
import { userBlocks } from '../users/tables.ts';
import type { NotificationState, NotificationTopics } from './events.ts';
import { type NotificationRow, notifications } from './tables.ts';

export interface NotificationServiceDeps {
  db: Database;
  outbox: Outbox<NotificationTopics>;
  streams: Streams<NotificationTopics>;
}

/** Actors a notification keeps, most recent first. */
export const MAX_ACTORS = 10;
const TOPIC = 'notification:changed';

/** One action that may tell someone: who did what to which of whose things. */
export interface Action {
  recipientId: string;
  actorId: string;
  kind: NotificationRow['kind'];
  subjectId: string;
  emoji?: string | null;
}

export const fromState = (state: NotificationState): NotificationRow => ({
  ...state,
  createdAt: new Date(state.createdAt),
  updatedAt: new Date(state.updatedAt),
  readAt: state.readAt ? new Date(state.readAt) : null,
});

/**
 * The inbox. Other modules call `record` inside the transaction of the
 * action (a view, a reaction, a mention), so the inbox and the live stream
 * agree with what happened: a notification is coalesced with the one of the
 * same kind, subject and emoji (its count grows, the actor moves to the
 * front, it becomes unread again and rises to the top), and its new state is
 * one event on the recipient's `notification:changed` stream.
 */
export function createNotificationService({ db, outbox, streams }: NotificationServiceDeps) {
  return {
    /**
     * In the action's transaction, as its last statement: the coalescing row is locked from here to the commit,
     * so the notification and its event are one statement, and the transaction commits without waiting for its
     * WAL to reach the disk (db/async-commit.ts): a story's thousand viewers queue on its one notification for
     * no fsync each. Safe: the events are numbered right after, by a synchronous commit that flushes this one
     * first, before anything is published or answered. Nothing for one's own actions, nothing from someone the
     * recipient blocks.
     */
    async record(tx: Executor, action: Action): Promise<void> {
      const { recipientId, actorId, kind, subjectId } = action;
      if (recipientId === actorId) return;
      const emoji = action.emoji ?? '';
      await tx.execute(sql`
        with n as (
          ${upsert(recipientId, actorId, kind, subjectId, emoji, null)}
        ), event as (
          ${outbox.eventsInsert(TOPIC, sql`select n.user_id::text as key, ${stateJson(sql`n`)} as payload from n`)}
        )
        select ${commitWithoutFlush}`);
      outbox.noteRecorded(tx, TOPIC, recipientId);
    },

    /**
     * The same as CTEs for the caller's own single statement (`n`, `n_event`), written only when the CTE
     * `when` has a row (the action happened): a statement that commits on its own holds the coalescing row no
     * longer than itself. The caller numbers `notification:changed` for the recipient once it has committed.
     */
    recordCte(action: Action, when: SQL): SQL | null {
      const { recipientId, actorId, kind, subjectId } = action;
      if (recipientId === actorId) return null;
      return sql`n as (
          ${upsert(recipientId, actorId, kind, subjectId, action.emoji ?? '', when)}
        ), n_event as (
          ${outbox.eventsInsert(TOPIC, sql`select n.user_id::text as key, ${stateJson(sql`n`)} as payload from n`)}
        )`;
    },

    /** Numbers a recipient's notification stream (after a statement of `recordCte` committed). */
    number: (recipientId: string) => outbox.number(TOPIC, recipientId),

    /** In the transaction that deletes a post or a story: its notifications go with it. */
    async forgetSubject(tx: Executor, subjectId: string): Promise<void> {
      await tx.delete(notifications).where(eq(notifications.subjectId, subjectId));
    },

    /** The viewer's inbox, most recently changed first; `first + 1` rows (the extra one says there is a next page). */
    async page(viewerId: string, first: number, after: FeedCursor | null, unreadOnly: boolean): Promise<NotificationRow[]> {
      return db
        .select()
        .from(notifications)
        .where(
          and(
            eq(notifications.userId, viewerId),
            unreadOnly ? isNull(notifications.readAt) : undefined,
            after
              ? or(lt(notifications.updatedAt, after.createdAt), and(eq(notifications.updatedAt, after.createdAt), lt(notifications.id, after.id)))
              : undefined,
          ),
        )
        .orderBy(desc(notifications.updatedAt), desc(notifications.id))
        .limit(first + 1);
    },

    /** Exact: counted, not kept. */
    async unreadCount(viewerId: string): Promise<number> {
      const [row] = await db
        .select({ n: count() })
        .from(notifications)
        .where(and(eq(notifications.userId, viewerId), isNull(notifications.readAt)));
      return row?.n ?? 0;
    },

    /** Marks these (or all) of the viewer's notifications read; the unread count after. */
    async markRead(viewerId: string, input: { ids?: readonly string[] | null; all?: boolean | null }): Promise<number> {
      const all = input.all === true;
      const ids = input.ids ?? [];
      if (all === (ids.length > 0)) throw badInput('give either ids or all: true', 'ids');
      if (ids.length > 100) throw badInput('at most 100 ids at a time', 'ids');
      const valid = ids.filter(isUuid);
      if (!all && valid.length === 0) return this.unreadCount(viewerId);
      await db
        .update(notifications)
        .set({ readAt: sql`now()` })
        .where(and(eq(notifications.userId, viewerId), isNull(notifications.readAt), all ? undefined : inArray(notifications.id, valid)));
      return this.unreadCount(viewerId);
    },

    /** The viewer's own notifications among these ids (a node lookup of anyone else's finds nothing). */
    async byIds(ids: readonly string[], viewerId: string | null): Promise<NotificationRow[]> {
      const valid = ids.filter(isUuid);
      if (valid.length === 0 || !viewerId) return [];
      return db
        .select()
        .from(notifications)
        .where(and(inArray(notifications.id, valid), eq(notifications.userId, viewerId)));
    },

    /**
     * Where the viewer's notification stream stands: subscribing `after` it gets every change from then on. Its
     * committed changes are numbered first, so none is left between a page read after it and the stream.
     */
    async streamHead(viewerId: string): Promise<number> {
      await outbox.number(TOPIC, viewerId);
      return (await outbox.head(TOPIC, viewerId)).lastSeq;
    },

    /** New and grown notifications of the viewer, after `after` or from now on. */
    watch(viewerId: string, after: string | null | undefined) {
      return streams.watch(TOPIC, viewerId, resumeAfter(after, TOPIC, viewerId), { viewerId });
    },

    /** Notifications older than `days` go (a schedule runs it). */
    async prune(days: number): Promise<number> {
      const gone = await db
        .delete(notifications)
        .where(lt(notifications.updatedAt, sql`now() - make_interval(days => ${days})`))
        .returning({ id: notifications.id });
      return gone.length;
    },
  };
}

/** The coalescing upsert of one action (from the rows of `when`, if given), returning the notification. */
function upsert(recipientId: string, actorId: string, kind: NotificationRow['kind'], subjectId: string, emoji: string, when: SQL | null): SQL {
  return sql`insert into ${notifications} (user_id, kind, subject_id, emoji, count, actor_ids)
    select ${recipientId}, ${kind}, ${subjectId}, ${emoji}, 1, array[${actorId}]::uuid[]
    ${when ? sql`from ${when}` : sql``}
    where not exists (select 1 from ${userBlocks} b where b.blocker_id = ${recipientId} and b.blocked_id = ${actorId})
    on conflict (user_id, kind, subject_id, emoji) do update set
      count = ${notifications.count} + 1,
      actor_ids = (array[${actorId}]::uuid[] || array_remove(${notifications.actorIds}, ${actorId}::uuid))[1:${MAX_ACTORS}],
      updated_at = now(),
      read_at = null
    returning *`;
}


/** A notifications row (`alias`, in SQL) as its event's JSON (NotificationState). */
export function stateJson(alias: SQL): SQL {
  return sql`jsonb_build_object('id', ${alias}.id, 'userId', ${alias}.user_id, 'kind', ${alias}.kind, 'subjectId', ${alias}.subject_id,
    'emoji', ${alias}.emoji, 'count', ${alias}.count, 'actorIds', to_jsonb(${alias}.actor_ids), 'createdAt', ${isoText(sql`${alias}.created_at`)},
    'updatedAt', ${isoText(sql`${alias}.updated_at`)}, 'readAt', ${alias}.read_at)`;
}

export type NotificationService = ReturnType<typeof createNotificationService>;
