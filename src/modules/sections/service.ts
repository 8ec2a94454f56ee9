import { and, asc, inArray } from 'drizzle-orm';
import type { Database } from '../../db/client.ts';
import type { SectionAccess } from './access.ts';
import { badInput, isUniqueViolation } from '../../lib/errors.ts';
import { isUuid, requireText } from '../../lib/validate.ts';
import { type SectionRow, sections } from './tables.ts';

const SLUG = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
/** The most sections `list` returns: it is not paged. */
export const MAX_LISTED_SECTIONS = 1_000;

export function createSectionService(db: Database, access: SectionAccess) {
  return {
    async create(viewerId: string, input: { name: string; slug: string; visibility?: 'PUBLIC' | 'MEMBERS' | null }): Promise<SectionRow> {
      const name = requireText(input.name, 'name', { max: 100 });
      const slug = input.slug.trim();
      if (slug.length < 2 || slug.length > 64 || !SLUG.test(slug)) {
        throw badInput('slug must be 2 to 64 lowercase letters, digits and single dashes', 'slug');
      }
      try {
        const [row] = await db.insert(sections).values({ name, slug, createdBy: viewerId, visibility: input.visibility ?? 'PUBLIC' }).returning();
        if (!row) throw new Error('insert returned no row');
        return row;
      } catch (err) {
        if (isUniqueViolation(err, 'sections_slug_key')) throw badInput('slug is taken', 'slug');
        throw err;
      }
    },

    /** The sections the viewer may read, by name. */
    list(viewerId: string | null): Promise<SectionRow[]> {
      return db
        .select()
        .from(sections)
        .where(access.readableBy(viewerId)(sections.id))
        .orderBy(asc(sections.name), asc(sections.id))
        .limit(MAX_LISTED_SECTIONS);
    },

    /** The sections among these the viewer may read (a MEMBERS section is nobody else's to see). */
    async byIds(ids: readonly string[], viewerId: string | null): Promise<SectionRow[]> {
      const valid = ids.filter(isUuid);
      if (valid.length === 0) return [];
      return db.select().from(sections).where(and(inArray(sections.id, valid), access.readableBy(viewerId)(sections.id)));
    },
  };
}

export type SectionService = ReturnType<typeof createSectionService>;
