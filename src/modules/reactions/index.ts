import { groupedBy } from '../../graphql/batch-loaders.ts';
import { defineModule, topics } from '../module.ts';
import type { PostService } from '../posts/service.ts';
import type { SectionAccess } from '../sections/access.ts';
import type { BlockLists } from '../users/block-lists.ts';
import type { NotificationService } from '../notifications/service.ts';
import type { ReactionTopics } from './events.ts';
import './graphql.ts';
import { createReactionService, type ReactionService } from './service.ts';

/** Emoji reactions on posts. */
export const reactionsModule = defineModule({
  name: 'reactions',
  topics: topics<ReactionTopics>(),
  services: ({ db, outbox, streams }, earlier: { sectionAccess: SectionAccess; posts: PostService; blockLists: BlockLists; notifications: NotificationService }) => ({
    reactions: createReactionService({
      db,
      access: earlier.sectionAccess,
      readablePosts: earlier.posts.byIds,
      blockLists: earlier.blockLists,
      outbox,
      streams,
      notifications: earlier.notifications,
    }),
  }),
  loaders: {
    // The viewer's own reactions are part of each count (`viewerHasReacted`).
    reactionsByPost: (s: { reactions: ReactionService }, viewerId: string | null) => groupedBy((ids) => s.reactions.countsByPostIds(ids, viewerId), (r) => r.postId),
  },
});
