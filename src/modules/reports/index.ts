import { defineModule } from '../module.ts';
import type { PostService } from '../posts/service.ts';
import type { SectionAccess } from '../sections/access.ts';
import type { SectionRoles } from '../sections/roles.ts';
import './graphql.ts';
import { createReportService } from './service.ts';

/** Reports of posts to their section's owner and moderators, and what they do about them. */
export const reportsModule = defineModule({
  name: 'reports',
  services: ({ db }, earlier: { sectionAccess: SectionAccess; posts: PostService; sectionRoles: SectionRoles }) => ({
    reports: createReportService({ db, access: earlier.sectionAccess, posts: earlier.posts, roles: earlier.sectionRoles }),
  }),
});
