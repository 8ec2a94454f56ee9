import { asc, inArray } from 'drizzle-orm';
import type { Database } from '../../db/client.ts';
import { badInput, isUniqueViolation } from '../../lib/errors.ts';
import { isUuid, requireText } from '../../lib/validate.ts';
import { type SectionRow, sections } from './tables.ts';

const SLUG = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
/** The most sections `list` returns: it is not paged. */
export const MAX_LISTED_SECTIONS = 1_000;

export function createSectionService(db: Database) {
  return {
    async create(viewerId: string, input: { name: string; slug: string }): Promise<SectionRow> {
      const name = requireText(input.name, 'name', { max: 100 });
      const slug = input.slug.trim();
      if (slug.length < 2 || slug.length > 64 || !SLUG.test(slug)) {
        throw badInput('slug must be 2 to 64 lowercase letters, digits and single dashes', 'slug');
      }
      try {
        const [row] = await db.insert(sections).values({ name, slug, createdBy: viewerId }).returning();
        if (!row) throw new Error('insert returned no row');
        return row;
      } catch (err) {
        if (isUniqueViolation(err, 'sections_slug_key')) throw badInput('slug is taken', 'slug');
        throw err;
      }
    },

    list(): Promise<SectionRow[]> {
      return db.select().from(sections).orderBy(asc(sections.name), asc(sections.id)).limit(MAX_LISTED_SECTIONS);
    },

    async byIds(ids: readonly string[]): Promise<SectionRow[]> {
      const valid = ids.filter(isUuid);
      if (valid.length === 0) return [];
      return db.select().from(sections).where(inArray(sections.id, valid));
    },
  };
}

export type SectionService = ReturnType<typeof createSectionService>;
