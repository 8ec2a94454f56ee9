import DataLoader from 'dataloader';
import { byId } from '../../graphql/batch-loaders.ts';
import type { LinkHandOff } from '../links/queue/first-attempts.ts';
import { defineModule, topics } from '../module.ts';
import type { PostTopics } from './events.ts';
import './graphql.ts';
import { createPostService, type PostService } from './service.ts';
import type { PostRow } from './tables.ts';

/** Posts in sections; their links go to the link pipeline once committed. */
export const postsModule = defineModule({
  name: 'posts',
  topics: topics<PostTopics>(),
  services: ({ db, outbox, streams }, earlier: { linkJobs: LinkHandOff }) => ({
    posts: createPostService({ db, outbox, streams, onLinksCreated: (created) => earlier.linkJobs.add(created) }),
  }),
  loaders: {
    post: (s: { posts: PostService }) => byId(s.posts.byIds),
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
