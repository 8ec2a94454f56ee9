import type { PgBoss } from 'pg-boss';
import type { Logger } from '../../logger.ts';
import type { StoryService } from './service.ts';

export const STORY_EXPIRY_QUEUE = 'stories-expire';

/** Every 10 minutes one worker, on whichever instance, deletes expired stories. */
export async function scheduleStoryExpiry(boss: PgBoss): Promise<void> {
  await boss.createQueue(STORY_EXPIRY_QUEUE, { policy: 'singleton', retryLimit: 1 });
  await boss.schedule(STORY_EXPIRY_QUEUE, '*/10 * * * *');
}

export async function startStoryExpiryWorker(boss: PgBoss, stories: StoryService, logger: Logger): Promise<void> {
  await boss.work(STORY_EXPIRY_QUEUE, { pollingIntervalSeconds: 30 }, async () => {
    const deleted = await stories.deleteExpired();
    if (deleted > 0) logger.info({ deleted }, 'expired stories deleted');
  });
}
