import { byId } from '../../graphql/batch-loaders.ts';
import { createRateLimit } from '../../lib/rate-limiter.ts';
import { defineModule, topics } from '../module.ts';
import type { StoryTopics } from './events.ts';
import { scheduleStoryExpiry, STORY_EXPIRY_QUEUE, startStoryExpiryWorker } from './expiry-job.ts';
import './graphql.ts';
import { createStoryService, type StoryService } from './service.ts';

/** Stories, their views and reactions, told to their author. */
export const storiesModule = defineModule({
  name: 'stories',
  topics: topics<StoryTopics>(),
  services: ({ db, outbox, streams, redis, config }) => ({
    stories: createStoryService({
      db,
      outbox,
      streams,
      ttlHours: config.stories.ttlHours,
      reactionLimit: createRateLimit(redis, { name: 'story-reactions', points: config.stories.reactionsPerMinute, durationSeconds: 60 }),
    }),
  }),
  loaders: { story: (s: { stories: StoryService }) => byId(s.stories.byIds) },
  queues: (boss) => scheduleStoryExpiry(boss),
  workers: async ({ boss, services, logger }) => {
    await startStoryExpiryWorker(boss, services.stories, logger.child({ module: 'stories' }));
    return { stop: async () => void (await boss.offWork(STORY_EXPIRY_QUEUE, { wait: true })) };
  },
});
