import DataLoader from 'dataloader';
import { byId } from '../../graphql/batch-loaders.ts';
import type { LinkHandOff } from '../links/queue/first-attempts.ts';
import { defineModule, topics } from '../module.ts';
import type { SectionAccess } from '../sections/access.ts';
import type { BlockLists } from '../users/block-lists.ts';
import type { Blocks } from '../users/blocks.ts';
import type { NotificationService } from '../notifications/service.ts';
import type { PostTopics } from './events.ts';
import './graphql.ts';
import { createPostService, type PostService } from './service.ts';
import type { PostRow } from './tables.ts';

/** Posts in sections; their links go to the link pipeline once committed. */
export const postsModule = defineModule({
  name: 'posts',
  topics: topics<PostTopics>(),
  services: ({ db, outbox, streams }, earlier: { linkJobs: LinkHandOff; sectionAccess: SectionAccess; blocks: Blocks; blockLists: BlockLists; notifications: NotificationService }) => ({
    posts: createPostService({
      db,
      access: earlier.sectionAccess,
      blocks: earlier.blocks,
      blockLists: earlier.blockLists,
      outbox,
      streams,
      onLinksCreated: (created) => earlier.linkJobs.add(created),
      notifications: earlier.notifications,
    }),
  }),
  loaders: {
    post: (s: { posts: PostService }, viewerId: string | null) => byId((ids) => s.posts.byIds(ids, viewerId)),
    /** A post's place in its section's stream, for the cursor of a post read by a query. */
    postPlace: (s: { posts: PostService }) =>
      new DataLoader<PostRow, number | null, string>(
        async (keys) => {
          const places = await s.posts.placesInStream(keys);
          return keys.map((post) => places.get(post.id) ?? null);
        },
        { cacheKeyFn: (post) => post.id },
      ),
  },
});
