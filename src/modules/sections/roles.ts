import { and, eq } from 'drizzle-orm';
import type { Database, Executor } from '../../db/client.ts';
import { badInput, forbidden, isForeignKeyViolation, notFound } from '../../lib/errors.ts';
import { isUuid, requireText } from '../../lib/validate.ts';
import type { Outbox } from '../../realtime/outbox.ts';
import type { SectionAccess } from './access.ts';
import type { SectionTopics } from './events.ts';
import { type SectionRow, sectionBans, sectionRoles } from './tables.ts';

export interface SectionRoleDeps {
  db: Database;
  outbox: Outbox<SectionTopics>;
  access: SectionAccess;
}

const MAX_REASON = 500;

/**
 * Who does what in a section: its owner names moderators; the owner and
 * moderators add and remove members (of a MEMBERS section) and ban. Losing
 * access (a member removed, a moderator of a MEMBERS section removed, a ban)
 * is recorded as an event every instance follows: the user's subscriptions
 * to the section end at once wherever they run.
 */
export function createSectionRoles({ db, outbox, access }: SectionRoleDeps) {
  const lost = (tx: Executor, sectionId: string, userId: string) => outbox.record(tx, 'section:access-lost', 'all', { sectionId, userId });

  async function target(userId: string): Promise<string> {
    if (!isUuid(userId)) throw notFound('User');
    return userId;
  }

  /** Writes a role; NOT_FOUND for a user that does not exist. */
  async function grant(section: SectionRow, userId: string, role: 'MODERATOR' | 'MEMBER'): Promise<void> {
    if (userId === section.createdBy) throw badInput('the owner has every role already', 'userId');
    try {
      await db
        .insert(sectionRoles)
        .values({ sectionId: section.id, userId, role })
        .onConflictDoUpdate({ target: [sectionRoles.sectionId, sectionRoles.userId], set: { role } });
    } catch (err) {
      if (isForeignKeyViolation(err)) throw notFound('User');
      throw err;
    }
  }

  /** Takes a role away; the user loses access to a MEMBERS section with it. */
  async function revoke(section: SectionRow, userId: string, role: 'MODERATOR' | 'MEMBER'): Promise<void> {
    await outbox.transaction(async (tx) => {
      const removed = await tx
        .delete(sectionRoles)
        .where(and(eq(sectionRoles.sectionId, section.id), eq(sectionRoles.userId, userId), eq(sectionRoles.role, role)))
        .returning({ userId: sectionRoles.userId });
      if (removed.length > 0 && section.visibility === 'MEMBERS') await lost(tx, section.id, userId);
    });
  }

  return {
    async addModerator(viewerId: string, sectionId: string, userId: string): Promise<SectionRow> {
      const s = await access.standing(sectionId, viewerId);
      if (s.role !== 'OWNER') throw forbidden('Only the owner of this section may name moderators');
      await grant(s.section, await target(userId), 'MODERATOR');
      return s.section;
    },

    async removeModerator(viewerId: string, sectionId: string, userId: string): Promise<SectionRow> {
      const s = await access.standing(sectionId, viewerId);
      if (s.role !== 'OWNER') throw forbidden('Only the owner of this section may remove moderators');
      await revoke(s.section, await target(userId), 'MODERATOR');
      return s.section;
    },

    async addMember(viewerId: string, sectionId: string, userId: string): Promise<SectionRow> {
      const s = await access.assertModerator(sectionId, viewerId);
      if (s.section.visibility !== 'MEMBERS') throw badInput('only a MEMBERS section has members; everyone reads a PUBLIC one', 'sectionId');
      const id = await target(userId);
      // A moderator stays one: membership is the lesser role.
      const [current] = await db.select().from(sectionRoles).where(and(eq(sectionRoles.sectionId, s.section.id), eq(sectionRoles.userId, id)));
      if (current?.role !== 'MODERATOR') await grant(s.section, id, 'MEMBER');
      return s.section;
    },

    async removeMember(viewerId: string, sectionId: string, userId: string): Promise<SectionRow> {
      const s = await access.assertModerator(sectionId, viewerId);
      await revoke(s.section, await target(userId), 'MEMBER');
      return s.section;
    },

    async ban(viewerId: string, input: { sectionId: string; userId: string; reason?: string | null; until?: Date | null }): Promise<SectionRow> {
      const s = await access.assertModerator(input.sectionId, viewerId);
      const userId = await target(input.userId);
      if (userId === s.section.createdBy) throw forbidden('The owner of a section cannot be banned from it');
      if (userId === viewerId) throw badInput('you cannot ban yourself', 'userId');
      if (input.until && input.until.getTime() <= Date.now()) throw badInput('until must be in the future', 'until');
      const reason = input.reason?.trim() ? requireText(input.reason, 'reason', { max: MAX_REASON }) : null;
      try {
        await outbox.transaction(async (tx) => {
          await tx
            .insert(sectionBans)
            .values({ sectionId: s.section.id, userId, reason, until: input.until ?? null, bannedBy: viewerId })
            .onConflictDoUpdate({ target: [sectionBans.sectionId, sectionBans.userId], set: { reason, until: input.until ?? null, bannedBy: viewerId } });
          // A ban removes any role too: a banned moderator moderates no more.
          await tx.delete(sectionRoles).where(and(eq(sectionRoles.sectionId, s.section.id), eq(sectionRoles.userId, userId)));
          if (s.section.visibility === 'MEMBERS') await lost(tx, s.section.id, userId);
        });
      } catch (err) {
        if (isForeignKeyViolation(err)) throw notFound('User');
        throw err;
      }
      return s.section;
    },

    async unban(viewerId: string, sectionId: string, userId: string): Promise<SectionRow> {
      const s = await access.assertModerator(sectionId, viewerId);
      await db.delete(sectionBans).where(and(eq(sectionBans.sectionId, s.section.id), eq(sectionBans.userId, await target(userId))));
      return s.section;
    },
  };
}

export type SectionRoles = ReturnType<typeof createSectionRoles>;
