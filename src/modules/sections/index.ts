import DataLoader from 'dataloader';
import { byId } from '../../graphql/batch-loaders.ts';
import { defineModule, topics } from '../module.ts';
import type { Admins } from '../users/admins.ts';
import { createSectionAccess, type SectionAccess } from './access.ts';
import type { SectionTopics } from './events.ts';
import './graphql.ts';
import { followAccessLost } from './live.ts';
import { createSectionRoles } from './roles.ts';
import { createSectionService, type SectionService } from './service.ts';

/** Sections that hold posts: who owns, moderates, belongs to and is banned from each. */
export const sectionsModule = defineModule({
  name: 'sections',
  topics: topics<SectionTopics>(),
  services: ({ db, outbox }, earlier: { admins: Admins }) => {
    const access = createSectionAccess(db, earlier.admins);
    return {
      sectionAccess: access,
      sections: createSectionService(db, access),
      sectionRoles: createSectionRoles({ db, outbox, access }),
    };
  },
  serving: ({ streams, logger }) => followAccessLost(streams, logger),
  loaders: {
    // Only the sections the viewer may read: a MEMBERS section is nobody else's to see.
    section: (s: { sections: SectionService }, viewerId: string | null) => byId((ids) => s.sections.byIds(ids, viewerId)),
    /** The viewer's moderator or member role in each section (ownership is on the section's row). */
    viewerSectionRole: (s: { sectionAccess: SectionAccess }, viewerId: string | null) =>
      new DataLoader<string, 'MODERATOR' | 'MEMBER' | null>(async (ids) => {
        if (!viewerId) return ids.map(() => null);
        const roles = await s.sectionAccess.rolesIn(ids, viewerId);
        return ids.map((id) => roles.get(id) ?? null);
      }),
  },
});
