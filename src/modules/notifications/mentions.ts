import { type SQL, sql } from 'drizzle-orm';
import type { Outbox } from '../../realtime/outbox.ts';
import { userBlocks, users } from '../users/tables.ts';
import type { NotificationTopics } from './events.ts';
import { stateJson } from './service.ts';
import { notifications } from './tables.ts';

/** Mentions one post may make: the rest of its `@names` tell nobody. */
export const MAX_MENTIONS = 10;

// `@name` where a username can be (3 to 32 letters, digits or underscores), not inside a word or an address.
const MENTION = /(?<![\w@.])@([A-Za-z0-9_]{3,32})(?![A-Za-z0-9_])/g;

/** The usernames a text mentions, lower-cased, each once, at most MAX_MENTIONS. */
export function mentionedNames(text: string): string[] {
  const names = new Set<string>();
  for (const match of text.matchAll(MENTION)) {
    names.add(match[1]!.toLowerCase());
    if (names.size === MAX_MENTIONS) break;
  }
  return [...names];
}

/**
 * The CTEs that tell the users a new post mentions, to put in the post's own
 * statement (after its `post` CTE, which holds the post's id when it was
 * written): every mentioned user but its author who may read the section and
 * does not block the author gets a MENTIONED notification and its event.
 * The statement's `mentioned_users` CTE gives who was told (their streams
 * to number once it has committed).
 */
export function mentionsCte(
  outbox: Outbox<NotificationTopics>,
  { names, authorId, sectionId, readableBy }: { names: readonly string[]; authorId: string; sectionId: string; readableBy: (userId: SQL) => (sectionId: unknown) => SQL },
): SQL {
  const reader = readableBy(sql`u.id`);
  return sql`
    mentioned as (
      select u.id as user_id, p.id as post_id from ${users} u, post p
      where lower(u.username) = any(${sql.param([...names])}::text[]) and u.id <> ${authorId}
        and ${reader(sql`${sectionId}::uuid`)}
        and not exists (select 1 from ${userBlocks} b where b.blocker_id = u.id and b.blocked_id = ${authorId})
    ), mentioned_users as (
      insert into ${notifications} (user_id, kind, subject_id, emoji, count, actor_ids)
      select m.user_id, 'MENTIONED', m.post_id, '', 1, array[${authorId}]::uuid[] from mentioned m
      on conflict (user_id, kind, subject_id, emoji) do nothing
      returning *
    ), mention_events as (
      ${outbox.eventsInsert('notification:changed', sql`select n.user_id::text as key, ${stateJson(sql`n`)} as payload from mentioned_users n`)}
    )`;
}
