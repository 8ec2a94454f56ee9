import { byId } from '../../graphql/batch-loaders.ts';
import { createRateLimit } from '../../lib/rate-limiter.ts';
import { defineModule, topics } from '../module.ts';
import type { Admins } from '../users/admins.ts';
import type { BlockLists } from '../users/block-lists.ts';
import type { Blocks } from '../users/blocks.ts';
import type { NotificationService } from '../notifications/service.ts';
import type { StoryTopics } from './events.ts';
import { scheduleStoryExpiry, STORY_EXPIRY_QUEUE, startStoryExpiryWorker } from './expiry-job.ts';
import './graphql.ts';
import { createStoryService, type StoryService } from './service.ts';

/** Stories, their views and reactions, told to their author. */
export const storiesModule = defineModule({
  name: 'stories',
  topics: topics<StoryTopics>(),
  services: ({ db, outbox, streams, redis, config }, earlier: { blocks: Blocks; blockLists: BlockLists; admins: Admins; notifications: NotificationService }) => ({
    stories: createStoryService({
      db,
      blocks: earlier.blocks,
      blockLists: earlier.blockLists,
      admins: earlier.admins,
      outbox,
      streams,
      ttlHours: config.stories.ttlHours,
      reactionLimit: createRateLimit(redis, { name: 'story-reactions', points: config.stories.reactionsPerMinute, durationSeconds: 60 }),
      notifications: earlier.notifications,
    }),
  }),
  loaders: { story: (s: { stories: StoryService }, viewerId: string | null) => byId((ids) => s.stories.byIds(ids, viewerId)) },
  queues: (boss) => scheduleStoryExpiry(boss),
  workers: async ({ boss, services, logger }) => {
    await startStoryExpiryWorker(boss, services.stories, logger.child({ module: 'stories' }));
    return { stop: async () => void (await boss.offWork(STORY_EXPIRY_QUEUE, { wait: true })) };
  },
});
