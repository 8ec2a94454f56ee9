import { byId } from '../../graphql/batch-loaders.ts';
import { defineModule } from '../module.ts';
import './graphql.ts';
import { createSectionService, type SectionService } from './service.ts';

/** Sections that hold posts. */
export const sectionsModule = defineModule({
  name: 'sections',
  services: ({ db }) => ({ sections: createSectionService(db) }),
  loaders: { section: (s: { sections: SectionService }) => byId(s.sections.byIds) },
});
