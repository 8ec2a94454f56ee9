import { and, eq, gt, inArray, isNull, or, type SQL, sql } from 'drizzle-orm';
import type { Database } from '../../db/client.ts';
import { forbidden, notFound } from '../../lib/errors.ts';
import { isUuid } from '../../lib/validate.ts';
import type { Admins } from '../users/admins.ts';
import { type SectionRow, sectionBans, sectionRoles, sections } from './tables.ts';

export type SectionRole = 'OWNER' | 'MODERATOR' | 'MEMBER';

/** What a viewer may do in one section. */
export interface Standing {
  section: SectionRow;
  role: SectionRole | null;
  admin: boolean;
  /** Banned now: may read a PUBLIC section, not post, react or report. */
  banned: boolean;
}

/** A SQL condition: the viewer may read rows of the section in `sectionId` (a column). */
export type ReadableIn = (sectionId: unknown) => ReturnType<typeof sql>;

/**
 * Who may do what in a section. The owner is its creator; moderators and
 * members are `section_roles`; admins are `ADMIN_USERNAMES`. A PUBLIC section
 * is read by every signed-in user, a MEMBERS one by its members, moderators
 * and owner. A ban (until its `until`) forbids posting, reacting and
 * reporting there.
 */
export function createSectionAccess(db: Database, admins: Admins) {
  const { isAdmin } = admins;

  /** The viewer's standing in the section, in one statement (and the admin check when there are admins); NOT_FOUND when it does not exist. */
  async function standing(sectionId: string, viewerId: string): Promise<Standing> {
    if (!isUuid(sectionId)) throw notFound('Section');
    const [row] = await db
      .select({
        section: sections,
        role: sectionRoles.role,
        banned: sql<boolean>`exists (select 1 from ${sectionBans} b where b.section_id = ${sections.id} and b.user_id = ${viewerId}
          and (b.until is null or b.until > now()))`,
      })
      .from(sections)
      .leftJoin(sectionRoles, and(eq(sectionRoles.sectionId, sections.id), eq(sectionRoles.userId, viewerId)))
      .where(eq(sections.id, sectionId));
    if (!row) throw notFound('Section');
    const role: SectionRole | null = row.section.createdBy === viewerId ? 'OWNER' : (row.role ?? null);
    return { section: row.section, role, admin: await isAdmin(viewerId), banned: row.banned };
  }

  const mayRead = (s: Standing) => s.section.visibility === 'PUBLIC' || s.role !== null || s.admin;
  const moderates = (s: Standing) => s.role === 'OWNER' || s.role === 'MODERATOR' || s.admin;

  return {
    isAdmin,
    standing,
    mayRead,
    moderates,

    /** The section, if the viewer may read it; FORBIDDEN (a MEMBERS section of others') or NOT_FOUND. */
    async assertCanRead(sectionId: string, viewerId: string): Promise<Standing> {
      const s = await standing(sectionId, viewerId);
      if (!mayRead(s)) throw forbidden('Only members of this section may read it');
      return s;
    },

    /** As assertCanRead, and not banned: to post, react or report. */
    async assertCanWrite(sectionId: string, viewerId: string): Promise<Standing> {
      const s = await standing(sectionId, viewerId);
      if (!mayRead(s)) throw forbidden('Only members of this section may post in it');
      if (s.banned) throw forbidden('You are banned from this section');
      return s;
    },

    /** The owner, a moderator or an admin; FORBIDDEN for anyone else. */
    async assertModerator(sectionId: string, viewerId: string): Promise<Standing> {
      const s = await standing(sectionId, viewerId);
      if (!moderates(s)) throw forbidden('Only the owner and moderators of this section may do this');
      return s;
    },

    /**
     * A condition on a `section_id` column: the viewer may read that section.
     * For the reads that list or load rows of many sections at once (feeds,
     * `node`), so that a MEMBERS section's rows reach only its readers.
     */
    readableBy(viewerId: string | null): ReadableIn {
      // Admins read every section.
      const admin = viewerId === null ? sql`false` : admins.isAdminSql(sql`${viewerId}::uuid`);
      return (sectionId) =>
        viewerId === null
          ? sql`false`
          : sql`exists (select 1 from ${sections} s where s.id = ${sectionId} and (s.visibility = 'PUBLIC' or s.created_by = ${viewerId}
              or exists (select 1 from ${sectionRoles} r where r.section_id = s.id and r.user_id = ${viewerId}) or ${admin}))`;
    },

    /** As `readableBy`, for a user named in SQL (a column of the caller's statement). */
    readableByUser(userId: SQL): ReadableIn {
      const admin = admins.isAdminSql(userId);
      return (sectionId) =>
        sql`exists (select 1 from ${sections} s where s.id = ${sectionId} and (s.visibility = 'PUBLIC' or s.created_by = ${userId}
          or exists (select 1 from ${sectionRoles} r where r.section_id = s.id and r.user_id = ${userId}) or ${admin}))`;
    },

    /** The viewer's role (beside ownership, which the section row tells) in each of these sections. */
    async rolesIn(sectionIds: readonly string[], viewerId: string): Promise<Map<string, 'MODERATOR' | 'MEMBER'>> {
      const ids = sectionIds.filter(isUuid);
      if (ids.length === 0) return new Map();
      const rows = await db
        .select({ sectionId: sectionRoles.sectionId, role: sectionRoles.role })
        .from(sectionRoles)
        .where(and(eq(sectionRoles.userId, viewerId), inArray(sectionRoles.sectionId, ids)));
      return new Map(rows.map((row) => [row.sectionId, row.role]));
    },

    /** As `readableBy`, and the viewer not banned there: they may post (admins aside, whom `assertCanWrite` lets in). */
    writableBy(viewerId: string): ReadableIn {
      const readable = this.readableBy(viewerId);
      return (sectionId) =>
        sql`(${readable(sectionId)} and not exists (select 1 from ${sectionBans} b where b.section_id = ${sectionId} and b.user_id = ${viewerId}
          and (b.until is null or b.until > now())))`;
    },

    /** Whether a ban of `userId` in the section holds now. */
    async isBanned(sectionId: string, userId: string): Promise<boolean> {
      const [row] = await db
        .select({ userId: sectionBans.userId })
        .from(sectionBans)
        .where(and(eq(sectionBans.sectionId, sectionId), eq(sectionBans.userId, userId), or(isNull(sectionBans.until), gt(sectionBans.until, sql`now()`))));
      return row !== undefined;
    },
  };
}

export type SectionAccess = ReturnType<typeof createSectionAccess>;
