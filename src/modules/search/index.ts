import { defineModule } from '../module.ts';
import type { SectionAccess } from '../sections/access.ts';
import './graphql.ts';
import { createSearch } from './service.ts';

/**
 * Search: one ranked statement over posts (and their links' previews),
 * people, products, sections and channels. It owns no table: the vectors and
 * trigram indexes it reads are columns and indexes of those modules' tables,
 * kept by the database (drizzle/…_search).
 */
export const searchModule = defineModule({
  name: 'search',
  services: ({ db }, earlier: { sectionAccess: SectionAccess }) => ({
    search: createSearch({ db, readableBy: (viewerId) => earlier.sectionAccess.readableBy(viewerId) }),
  }),
});
