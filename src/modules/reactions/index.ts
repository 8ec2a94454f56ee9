import { groupedBy } from '../../graphql/batch-loaders.ts';
import { defineModule, topics } from '../module.ts';
import type { ReactionTopics } from './events.ts';
import './graphql.ts';
import { createReactionService, type ReactionService } from './service.ts';

/** Emoji reactions on posts. */
export const reactionsModule = defineModule({
  name: 'reactions',
  topics: topics<ReactionTopics>(),
  services: ({ db, outbox, streams }) => ({ reactions: createReactionService({ db, outbox, streams }) }),
  loaders: {
    // The viewer's own reactions are part of each count (`viewerHasReacted`).
    reactionsByPost: (s: { reactions: ReactionService }, viewerId: string | null) => groupedBy((ids) => s.reactions.countsByPostIds(ids, viewerId), (r) => r.postId),
  },
});
